// The life cycle of a panel that shows one view sent by the host (report, sweep): components and
// theme set up, the view kept in the webview state (restored after a reload), errors shown, and
// `ready` posted so the host sends (or re-sends) the data.
import { themeDefaults } from './charts';
import { h, vscodeApi } from './dom';
import type { HostToView, PanelContext, ViewToHost } from './protocol';
import { registerComponents } from './toolkit';

type ViewMessage = Extract<HostToView, { view: unknown }>;

export function viewPanel<View>(type: ViewMessage['type'], render: (root: HTMLElement, view: View, post: (m: ViewToHost) => void) => void): void {
  const vscode = vscodeApi<{ view?: View; context?: PanelContext }>();
  const post = (m: ViewToHost) => vscode.postMessage(m);
  registerComponents();
  themeDefaults();
  const root = document.getElementById('app')!;
  const show = (view: View, context = vscode.getState()?.context) => {
    vscode.setState({ view, context });
    render(root, view, post);
  };
  window.addEventListener('message', (e: MessageEvent<HostToView>) => {
    const m = e.data;
    if (m.type === type) show((m as ViewMessage).view as View, (m as ViewMessage).context);
    else if (m.type === 'error') root.replaceChildren(h('p', { class: 'error', 'data-testid': 'error' }, m.message));
  });
  const saved = vscode.getState();
  if (saved?.view) show(saved.view);
  post({ type: 'ready' });
}
