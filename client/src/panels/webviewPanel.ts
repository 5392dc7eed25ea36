// One webview panel type: createOrShow / revive after reload (serializer), strict CSP with a nonce,
// resources limited to the built webview folder, data by message only.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { parseViewMessage, type HostToView, type PanelContext, type ViewToHost } from '../../../webviews/src/shared/protocol';

type WithoutContext<T> = T extends unknown ? Omit<T, 'context'> : never;

export interface PanelKind {
  viewType: string;
  /** Bundle name in webviews/out (webviews/src/<script>.ts). */
  script: string;
  title: string;
}

export interface PanelHandlers {
  /** The view is (re)loaded and asks for its data. */
  onReady(panel: DarknetPanel): void | Promise<void>;
  onMessage?(panel: DarknetPanel, message: ViewToHost): void | Promise<void>;
  /** Folders besides the built webview the panel may load files from (e.g. the images it shows), by its context. */
  resourceRoots?(context: Record<string, string>): vscode.Uri[];
}

export class DarknetPanel {
  private static readonly open = new Map<string, DarknetPanel>();
  /** What the panel shows (e.g. the cfg/weights or report path), persisted for revival. */
  context: Record<string, string> = {};

  private constructor(
    readonly panel: vscode.WebviewPanel,
    readonly kind: PanelKind,
    extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
    context: Record<string, string>,
  ) {
    this.context = context;
    panel.webview.options = webviewOptions(extensionUri, handlers.resourceRoots?.(context));
    panel.webview.html = html(panel.webview, extensionUri, kind);
    panel.webview.onDidReceiveMessage(async (raw) => {
      const m = parseViewMessage(raw);
      if (!m) return;
      try {
        if (m.type === 'ready') await handlers.onReady(this);
        else await handlers.onMessage?.(this, m);
      } catch (e) {
        this.post({ type: 'error', message: (e as Error).message });
      }
    });
    panel.onDidDispose(() => DarknetPanel.open.delete(this.key));
  }

  private get key() {
    return `${this.kind.viewType}:${this.context.key ?? ''}`;
  }

  static show(
    kind: PanelKind,
    extensionUri: vscode.Uri,
    handlers: PanelHandlers,
    context: Record<string, string>,
    title: string,
  ): DarknetPanel {
    const existing = DarknetPanel.open.get(`${kind.viewType}:${context.key ?? ''}`);
    if (existing) {
      existing.panel.reveal();
      void handlers.onReady(existing);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(kind.viewType, title, vscode.ViewColumn.Beside, {
      ...webviewOptions(extensionUri, handlers.resourceRoots?.(context)),
      retainContextWhenHidden: true,
    });
    const p = new DarknetPanel(panel, kind, extensionUri, handlers, context);
    DarknetPanel.open.set(p.key, p);
    return p;
  }

  /** The open panel of a kind showing `key` (context.key), if any. */
  static find(kind: PanelKind, key: string): DarknetPanel | undefined {
    return DarknetPanel.open.get(`${kind.viewType}:${key}`);
  }

  static registerSerializer(kind: PanelKind, extensionUri: vscode.Uri, handlers: PanelHandlers): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(kind.viewType, {
      async deserializeWebviewPanel(panel, state: unknown) {
        const ctx = (state as { context?: Record<string, string> } | undefined)?.context;
        const p = new DarknetPanel(panel, kind, extensionUri, handlers, ctx ?? {});
        DarknetPanel.open.set(p.key, p);
      },
    });
  }

  /** Send a view with the panel context attached (so a reload can revive it). */
  show(message: WithoutContext<Extract<HostToView, { context: PanelContext }>>): void {
    this.post({ ...message, context: this.context } as HostToView);
  }

  post(message: HostToView): void {
    void this.panel.webview.postMessage(message);
  }
}

function webviewOptions(extensionUri: vscode.Uri, extraRoots: vscode.Uri[] = []): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'webviews', 'out'),
      vscode.Uri.joinPath(extensionUri, 'webviews', 'media'),
      ...extraRoots,
    ],
  };
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri, kind: PanelKind): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'webviews', 'out', `${kind.script}.js`));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'webviews', 'media', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The nonce lets the UI toolkit (FAST) probe :focus-visible with an empty <style> element.
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>${kind.title}</title>
</head>
<body>
<main id="app" data-testid="${kind.script}-panel"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
