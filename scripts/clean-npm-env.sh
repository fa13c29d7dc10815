# Sourced by scripts/setup-vscode-server.sh: drops what npm adds to the environment of the scripts it
# runs (npm test -> mocha -> the VS Code test -> the setup). Left in place, npm_config_user_agent names
# the node that runs the outer npm (code-server's postinstall reads the node version from it and stops:
# "requires node v24 ... you are on node v20"), other npm_config_* values configure the inner installs,
# and node_modules/.bin and node-gyp-bin entries on PATH come first. The setup then behaves the same
# whether started by hand, by npm or by CI.
while IFS= read -r _name; do
  [ -n "$_name" ] && unset "$_name"
done <<EOV
$(env | sed -n 's/^\([Nn][Pp][Mm]_[A-Za-z0-9_]*\)=.*/\1/p')
EOV
unset _name
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e '/node_modules/\.bin/*$' -e '/node-gyp-bin/*$' | paste -sd: -)
export PATH
