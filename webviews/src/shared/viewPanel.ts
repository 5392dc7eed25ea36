// The life cycle of a panel that shows a view sent by the host (γ histogram, report, sweep, graph):
// components set up (chart panels get the theme's chart defaults from ./charts), the view and the
// panel's own UI state kept in the webview state (restored after a reload), errors shown, and
// `ready` posted so the host sends (or re-sends) the data.
import { h, vscodeApi } from './dom';
import type { HostToView, PanelContext, ViewToHost } from './protocol';
import { registerComponents } from './toolkit';

type ViewMessage = Extract<HostToView, { view: unknown; context: PanelContext }>;
export type ViewType = ViewMessage['type'];
type Views = { [M in ViewMessage as M['type']]: M['view'] };
export type ViewOf<T extends ViewType> = Views[T];

export interface Panel<Ui> {
  post(m: ViewToHost): void;
  /** The panel's UI state (e.g. the γ panel's percent) as last saved, also across a reload. */
  readonly ui: Ui | undefined;
  saveUi(ui: Ui): void;
}

export interface PanelOptions {
  /** Host messages other than the view and errors (e.g. the γ panel's live figures). */
  onMessage?(m: HostToView): void;
  /** Shows an error; by default it replaces the panel's content. */
  onError?(message: string): void;
}

interface Saved<T extends ViewType, Ui> {
  view?: ViewOf<T>;
  context?: PanelContext;
  ui?: Ui;
}

export function viewPanel<T extends ViewType, Ui = never>(
  type: T,
  render: (root: HTMLElement, view: ViewOf<T>, panel: Panel<Ui>) => void,
  options: PanelOptions = {},
): Panel<Ui> {
  const vscode = vscodeApi<Saved<T, Ui>>();
  const saved = (): Saved<T, Ui> => vscode.getState() ?? {};
  const panel: Panel<Ui> = {
    post: (m) => vscode.postMessage(m),
    get ui() {
      return saved().ui;
    },
    saveUi: (ui) => vscode.setState({ ...saved(), ui }),
  };
  registerComponents();
  const root = document.getElementById('app')!;
  const show = (view: ViewOf<T>, context = saved().context) => {
    vscode.setState({ ...saved(), view, context });
    render(root, view, panel);
  };
  window.addEventListener('message', (e: MessageEvent<HostToView>) => {
    const m = e.data;
    if (m.type === type) show((m as ViewMessage).view as ViewOf<T>, (m as ViewMessage).context);
    else if (m.type === 'error')
      (options.onError ?? ((message) => root.replaceChildren(h('p', { class: 'error', 'data-testid': 'error' }, message))))(m.message);
    else options.onMessage?.(m);
  });
  // After the panel script has finished its own set-up (it may use the returned panel in render).
  queueMicrotask(() => {
    const view = saved().view;
    if (view) show(view);
    panel.post({ type: 'ready' });
  });
  return panel;
}
