-- Drives Neovim's built-in LSP client against `secure-hints lsp --stdio`: open a file, wait for
-- diagnostics, apply the preferred quick fix, wait for the diagnostics to clear, save, and write
-- what happened as JSON to $SH_RESULT. Run: nvim --headless -n -u NONE -c 'luafile <this file>'
local result = { steps = {} }
local function log(s) table.insert(result.steps, s) end
local function finish(code)
  local f = io.open(vim.env.SH_RESULT, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd(code == 0 and 'qa!' or 'cq!')
end

local ok, err = pcall(function()
  local client_id = vim.lsp.start_client({
    name = 'secure-hints',
    cmd = { vim.env.SH_NODE, vim.env.SH_BIN, 'lsp', '--stdio' },
    root_dir = vim.env.SH_ROOT,
    on_exit = function(code) log('server exited ' .. tostring(code)) end,
  })
  assert(client_id, 'the server did not start')
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.SH_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  log('attached')

  assert(vim.wait(90000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50), "no diagnostics within 90 s")
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(result.diagnostics, { line = d.lnum, code = lsp.code, source = d.source, severity = d.severity, message = d.message })
  end
  log('diagnostics')

  local first = vim.diagnostic.get(bufnr)[1]
  local client = vim.lsp.get_client_by_id(client_id)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = first.lnum, character = first.col }, ['end'] = { line = first.end_lnum, character = first.end_col } },
    -- what Neovim's own code_action() sends: the line's diagnostics in LSP form
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, first.lnum) },
  }
  local response = client.request_sync("textDocument/codeAction", params, 60000, bufnr)
  assert(response and response.result, 'no code actions: ' .. vim.inspect(response))
  result.actions = {}
  local preferred
  for _, action in ipairs(response.result) do
    table.insert(result.actions, action.title)
    if action.isPreferred then preferred = action end
  end
  assert(preferred, 'no preferred action')
  vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding or 'utf-16')
  result.applied = preferred.title
  log('applied')

  assert(vim.wait(90000, function() return #vim.diagnostic.get(bufnr) == 0 end, 50), 'diagnostics did not clear after the fix')
  log('cleared')
  vim.cmd('write')
  result.text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  client.stop()
end)
if not ok then
  result.error = tostring(err)
  finish(1)
else
  finish(0)
end
