// The benchmark's two large real trees, installed on first use and cached under .cache/bench/
// (gitignored), so anyone can rerun `npm run bench` and get the same files:
//   python/tree: the .py files of a Python web stack as Debian packages it (apt-get download + dpkg-deb -x,
//                no root needed): Django, Flask, Werkzeug, Jinja2, Click, Requests (~190k lines)
//   ts/tree:     the TypeScript/React sources (.ts/.tsx under src/) that react-admin's packages ship on npm
//                (npm pack + tar): ra-core and ra-ui-materialui (~185k lines, ~840 .tsx components)
// Versions are pinned. Debian replaces security updates in place (an old +debNuK can vanish), so an
// unavailable pinned version falls back to the current one; the manifest records what was installed.
// Each tree is built in a temporary directory and renamed into place when complete: a half-built cache
// (interrupted download, full disk) is never used, and the next run starts that tree over.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export const PYTHON_PACKAGES = [
  ['python3-django', '3:3.2.25-0+deb12u7'],
  ['python3-werkzeug', '2.2.2-3+deb12u1'],
  ['python3-jinja2', '3.1.2-1+deb12u3'],
  ['python3-flask', '2.2.2-3'],
  ['python3-click', '8.1.3-2'],
  ['python3-requests', '2.28.1+dfsg-1'],
];

export const NPM_PACKAGES = ['ra-core@5.15.4', 'ra-ui-materialui@5.15.4'];

/**
 * The two trees: `{ python, ts }`, each `{ dir, manifest }` or `{ skipped: reason }`. `log` reports
 * progress (downloads take a minute the first time).
 */
export function benchTrees(root, log) {
  const cache = join(root, '.cache', 'bench');
  mkdirSync(cache, { recursive: true });
  // leftovers of an interrupted run
  for (const e of readdirSync(cache)) if (e.includes('.partial-')) rmSync(join(cache, e), { recursive: true, force: true });
  return {
    python: cached(cache, 'python', log, buildPythonTree),
    ts: cached(cache, 'ts', log, buildTsTree),
  };
}

function cached(cache, name, log, build) {
  const final = join(cache, name);
  const manifestPath = join(final, 'manifest.json');
  if (existsSync(manifestPath)) return { dir: join(final, 'tree'), manifest: JSON.parse(readFileSync(manifestPath, 'utf8')) };
  rmSync(final, { recursive: true, force: true });
  const work = mkdtempSync(join(cache, `${name}.partial-`));
  try {
    log(`installing the ${name} tree into ${relative(process.cwd(), final)} (once) ...`);
    const manifest = build(work, log);
    if (manifest.skipped) return manifest;
    writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    renameSync(work, final);
    return { dir: join(final, 'tree'), manifest };
  } catch (err) {
    return { skipped: `could not install (${String(err?.message ?? err).split('\n')[0]})` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

function have(cmd) {
  return !run('sh', ['-c', `command -v ${cmd}`]).status;
}

function buildPythonTree(work, log) {
  if (!have('apt-get') || !have('dpkg-deb')) return { skipped: 'apt-get/dpkg-deb not available (not a Debian-based system)' };
  const debs = join(work, 'debs');
  const unpacked = join(work, 'unpacked');
  mkdirSync(debs);
  mkdirSync(unpacked);
  const installed = [];
  for (const [pkg, version] of PYTHON_PACKAGES) {
    let r = run('apt-get', ['download', `${pkg}=${version}`], debs);
    if (r.status !== 0) {
      log(`  ${pkg}=${version} is not available any more; downloading the current ${pkg}`);
      r = run('apt-get', ['download', pkg], debs);
    }
    if (r.status !== 0) return { skipped: `apt-get download ${pkg} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()} (try apt-get update)` };
  }
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    const r = run('dpkg-deb', ['-x', join(debs, deb), unpacked]);
    if (r.status !== 0) throw new Error(`dpkg-deb -x ${deb}: ${r.stderr}`);
    installed.push(decodeURIComponent(deb.replace(/\.deb$/, '')));
  }
  const tree = join(work, 'tree');
  const files = copyMatching(join(unpacked, 'usr', 'lib', 'python3', 'dist-packages'), tree, (f) => f.endsWith('.py'));
  rmSync(debs, { recursive: true, force: true });
  rmSync(unpacked, { recursive: true, force: true });
  return { source: 'Debian packages (apt-get download)', packages: installed.sort(), ...files };
}

function buildTsTree(work, log) {
  if (!have('npm') || !have('tar')) return { skipped: 'npm or tar not available' };
  const tgz = join(work, 'tgz');
  mkdirSync(tgz);
  const tree = join(work, 'tree');
  let totals = { files: 0, lines: 0 };
  for (const spec of NPM_PACKAGES) {
    const r = run('npm', ['pack', spec, '--silent', '--pack-destination', tgz], work);
    if (r.status !== 0) return { skipped: `npm pack ${spec} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}` };
    const file = r.stdout.trim().split('\n').pop();
    const name = spec.slice(0, spec.lastIndexOf('@'));
    const out = join(work, 'unpacked', name);
    mkdirSync(out, { recursive: true });
    const x = run('tar', ['-xzf', join(tgz, file), '-C', out]);
    if (x.status !== 0) throw new Error(`tar ${file}: ${x.stderr}`);
    // the sources only: the packages also ship compiled dist/ output, which is not this tree's code
    const counted = copyMatching(join(out, 'package', 'src'), join(tree, name, 'src'), (f) => /\.tsx?$/.test(f) && !/\.d\.ts$/.test(f));
    totals = { files: totals.files + counted.files, lines: totals.lines + counted.lines };
    log(`  ${spec}: ${counted.files} files, ${counted.lines} lines`);
  }
  rmSync(tgz, { recursive: true, force: true });
  rmSync(join(work, 'unpacked'), { recursive: true, force: true });
  return { source: 'npm registry (npm pack)', packages: NPM_PACKAGES, ...totals };
}

/** Copies the files under `from` that `keep` accepts, keeping the layout; counts files and lines. */
function copyMatching(from, to, keep) {
  let files = 0;
  let lines = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && keep(e.name)) {
        const target = join(to, relative(from, path));
        mkdirSync(dirname(target), { recursive: true });
        copyFileSync(path, target);
        files++;
        lines += readFileSync(path, 'utf8').split('\n').length;
      }
    }
  };
  walk(from);
  return { files, lines };
}
