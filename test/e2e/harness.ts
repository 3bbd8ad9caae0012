// A real VS Code for the end-to-end suite: code-server on a free loopback port with a fresh
// user-data dir, a fresh extensions dir and a copy of the sample workspace, driven by Debian's
// Chromium through playwright-core. `startVsCode()` gives a page on the workbench and a
// `close()` that always takes everything down again (also after a failure, and on exit).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

const execFileAsync = promisify(execFile);

export const CHROMIUM = process.env.SPANSCOPE_E2E_CHROMIUM ?? process.env.SPANSCOPE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
const E2E_DIR = fileURLToPath(new URL('.', import.meta.url));
export const REPO_ROOT = resolve(E2E_DIR, '../..');

/**
 * User settings that make a fresh window quiet and deterministic: nothing opens by itself,
 * nothing phones home, no modal trust dialog swallows clicks, and the terminal renders as DOM
 * text so the suite can read it.
 */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'terminal.integrated.gpuAcceleration': 'off',
  'terminal.integrated.defaultProfile.linux': 'bash',
  'terminal.integrated.enablePersistentSessions': false,
  'terminal.integrated.showExitAlert': false,
};

export interface StartOptions {
  /** Folder copied into a temp dir and opened as the workspace. */
  workspace: string;
  /** `.vsix` files installed with `--install-extension` before the window opens. */
  vsix?: string[];
  /** Called with the fresh extensions dir before code-server starts (for unpacked extensions). */
  prepareExtensions?: (extensionsDir: string) => void;
  settings?: Record<string, unknown>;
  /** Where screenshots go; made if missing. */
  outputDir: string;
}

export interface VsCode {
  page: Page;
  browser: Browser;
  url: string;
  port: number;
  /** The temp copy of the workspace that the window has open. */
  workspace: string;
  /** code-server's own log (stdout and stderr), for failure reports. */
  serverLog(): string;
  /** Reloads the browser page, as a user does with F5, and waits for the workbench. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** The install folder of code-server (installs it on first use; cached after). */
export async function codeServerDir(): Promise<string> {
  const { stdout } = await execFileAsync('bash', [join(E2E_DIR, 'installCodeServer.sh')], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  return lines[lines.length - 1];
}

/**
 * Builds the extension as a user gets it (`npm run package` → `dist/spanscope.vsix`), unless
 * `SPANSCOPE_E2E_VSIX` names a `.vsix` to test instead.
 */
export async function buildVsix(): Promise<string> {
  if (process.env.SPANSCOPE_E2E_VSIX) return resolve(process.env.SPANSCOPE_E2E_VSIX);
  await execFileAsync('npm', ['run', 'package'], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`
      .split('\n')
      .filter((l) => !/Unknown user config/.test(l))
      .slice(-30)
      .join('\n');
    throw new Error(`npm run package failed, so there is no .vsix to test:\n${output}`);
  });
  return join(REPO_ROOT, 'dist/spanscope.vsix');
}

/** The Python a user would type: `python` where it exists, else `python3`. */
export async function pythonCommand(): Promise<string> {
  for (const name of ['python', 'python3']) {
    const found = await execFileAsync(name, ['-c', 'import sys; print(sys.version_info[0])']).then(
      (r) => r.stdout.trim() === '3',
      () => false,
    );
    if (found) return name;
  }
  throw new Error('neither python nor python3 (3.x) is on PATH; the sample app needs one');
}

export async function startVsCode(options: StartOptions): Promise<VsCode> {
  const installDir = await codeServerDir();
  const entry = join(installDir, 'node_modules/code-server/out/node/entry.js');
  const root = mkdtempSync(join(tmpdir(), 'spanscope-e2e-'));
  const dirs = {
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    workspace: join(root, 'workspace'),
    xdg: join(root, 'xdg'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User/settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2),
  );
  cpSync(options.workspace, dirs.workspace, { recursive: true });
  // code-server writes a default config (with a password) and its logs under XDG folders;
  // keep them in the temp dir rather than in the user's home.
  const configFile = join(root, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: join(dirs.xdg, 'config'),
    XDG_DATA_HOME: join(dirs.xdg, 'data'),
  };
  delete env.VSCODE_IPC_HOOK_CLI; // if the suite itself runs inside a VS Code terminal
  const common = ['--config', configFile, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  options.prepareExtensions?.(dirs.extensions);
  for (const vsix of options.vsix ?? []) {
    await execFileAsync(process.execPath, [entry, ...common, '--install-extension', vsix, '--force'], {
      env,
      timeout: 120_000,
    }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`installing ${vsix} into code-server failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    });
  }

  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let log = '';
  let closed = false;
  const killOnExit = () => server?.pid && killTree(server.pid, 'SIGKILL');
  process.once('exit', killOnExit);

  const close = async () => {
    if (closed) return;
    closed = true;
    process.removeListener('exit', killOnExit);
    await browser?.close().catch(() => undefined);
    if (server?.pid) await stopTree(server, 10_000);
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    server = spawn(
      process.execPath,
      [
        entry,
        ...common,
        '--auth',
        'none',
        '--bind-addr',
        '127.0.0.1:0',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        dirs.workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`code-server did not report its port within 60 s:\n${log}`)),
        60_000,
      );
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      };
      server!.stdout!.on('data', onData);
      server!.stderr!.on('data', onData);
      server!.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${log}`));
      });
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForWorkbench(page);
    mkdirSync(options.outputDir, { recursive: true });

    return {
      page,
      browser,
      url,
      port,
      workspace: dirs.workspace,
      serverLog: () => log + extensionHostLogs(dirs.userData),
      reload: async () => {
        await page.reload({ waitUntil: 'domcontentloaded', timeout: 60_000 });
        await waitForWorkbench(page);
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The workbench is there and its extension host is up (the status bar shows up after it). */
async function waitForWorkbench(page: Page): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  await page.waitForSelector('.statusbar', { timeout: 90_000 });
}

/**
 * The extension host's log lines (activation errors show up there first), then Spanscope's own
 * output channel (what the extension did: collector port, store, errors it caught).
 */
function extensionHostLogs(userData: string): string {
  const hosts: string[] = [];
  const ours: string[] = [];
  const walk = (dir: string) => {
    for (const entry of safeReaddir(dir)) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/exthost\.log$|remoteexthost\.log$/.test(entry.name))
        hosts.push(`--- ${p}\n${readFileSync(p, 'utf8').slice(-8000)}`);
      else if (entry.name === 'Spanscope.log') ours.push(`--- ${p}\n${readFileSync(p, 'utf8').slice(-3000)}`);
    }
  };
  walk(join(userData, 'logs'));
  const out = [...hosts, ...ours];
  return out.length ? `\n${out.join('\n')}` : '';
}

function safeReaddir(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

// ---- Processes ---------------------------------------------------------------------------
//
// code-server forks its extension host, pty host and file watcher; the shells of terminals run
// in sessions of their own (forkpty), so killing the process group is not enough. We collect
// the whole tree from /proc before signalling it.

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const name of safeReaddir('/proc')) {
    if (!/^\d+$/.test(name.name)) continue;
    try {
      const stat = readFileSync(`/proc/${name.name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(name.name)]);
    } catch {
      /* the process ended while we looked */
    }
  }
  return byParent;
}

function descendants(pid: number): number[] {
  const byParent = children();
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

function killTree(pid: number, signal: NodeJS.Signals): void {
  for (const p of [pid, ...descendants(pid)]) {
    try {
      process.kill(p, signal);
    } catch {
      /* already gone */
    }
  }
}

async function stopTree(proc: ChildProcess, graceMs: number): Promise<void> {
  const pid = proc.pid!;
  const tree = [pid, ...descendants(pid)];
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    for (const p of tree) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
  }
  // Whatever ignored SIGTERM (or was re-parented after its parent exited) goes now.
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
