// Darknet .cfg language server: LSP wiring only, every answer comes from core/.
// createServer registers every handler on a connection it is given: main.ts (the bundle's entry)
// gives it stdio or Node IPC, tests an in-process pair of streams (test/lsp/in-process.ts).

import {
  DidChangeConfigurationNotification,
  TextDocuments,
  TextDocumentSyncKind,
  MarkupKind,
  CodeActionKind,
  type CodeLens,
  type InitializeParams,
  type InitializeResult,
  type Connection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions } from '../../core/src/lang/actions';
import { completionsAt } from '../../core/src/lang/completion';
import { hoverAt } from '../../core/src/lang/hover';
import { inlayHints } from '../../core/src/lang/inlay';
import { codeLenses } from '../../core/src/lang/lens';
import { definitionAt, referencesAt } from '../../core/src/lang/navigation';
import { documentSymbols, foldingRanges } from '../../core/src/lang/outline';
import { summarizeNetwork } from '../../core/src/lang/summary';
import { compareWithOriginalCommand, NetworkGraphRequest, NetworkSummaryNotification } from '../../core/src/protocol/lsp';
import { networkGraph } from '../../core/src/lang/graph';
import {
  OriginalFinder,
  prunedHoverMarkdown,
  prunedInlays,
  prunedLensTitle,
  prunedView,
  type PrunedView,
} from '../../core/src/lang/pruned';
import type { Network } from '../../core/src/cfg/network';
import { URI } from 'vscode-uri';
import { Analyses } from './analyses';
import { bomActions, fileStartsWithBom } from './bom';
import { toCodeAction, toCompletionItem, toDocumentSymbol, toInlayHint, toLspDiagnostic } from './convert';
import { GraphLayouts } from './layouts';
import { DEFAULT_SETTINGS, readSettings, type Settings } from './settings';

export interface ServerHandle {
  /** Stops the pending debounce timers and the document listeners; the connection stays the caller's. */
  dispose(): void;
}

/** Registers the language server's handlers on `connection`; the caller then calls `connection.listen()`. */
export function createServer(connection: Connection): ServerHandle {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Analyses(fileStartsWithBom);
  let settings: Settings = DEFAULT_SETTINGS;
  const client = {
    configuration: false,
    didChangeConfigurationDynamic: false,
    inlayRefresh: false,
    lensRefresh: false,
    documentChanges: false,
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const c = params.capabilities;
    client.configuration = !!c.workspace?.configuration;
    client.didChangeConfigurationDynamic = !!c.workspace?.didChangeConfiguration?.dynamicRegistration;
    client.inlayRefresh = !!c.workspace?.inlayHint?.refreshSupport;
    client.lensRefresh = !!c.workspace?.codeLens?.refreshSupport;
    client.documentChanges = !!c.workspace?.workspaceEdit?.documentChanges;
    const initial = (params.initializationOptions as { settings?: unknown } | undefined)?.settings;
    if (initial) settings = readSettings(initial);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: { label: 'Darknet layers' },
        foldingRangeProvider: true,
        inlayHintProvider: { resolveProvider: false },
        codeLensProvider: { resolveProvider: false },
        completionProvider: { triggerCharacters: ['[', '=', ','], resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
      },
      serverInfo: { name: 'darknet-cfg-language-server', version: '0.1.0' },
    };
  });

  async function loadSettings(): Promise<void> {
    if (!client.configuration) return;
    try {
      const raw: unknown = await connection.workspace.getConfiguration('darknet');
      settings = readSettings(raw);
    } catch (e) {
      connection.console.warn(`darknet: could not read settings, using defaults (${String(e)})`);
    }
    if (client.inlayRefresh) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (client.lensRefresh) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  connection.onInitialized(() => {
    // Registered so that clients which only push settings through didChangeConfiguration keep working.
    if (client.didChangeConfigurationDynamic) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'darknet' }).catch(() => undefined);
    }
    void loadSettings();
  });

  connection.onDidChangeConfiguration((change) => {
    const pushed = (change.settings as { darknet?: unknown } | undefined)?.darknet;
    if (pushed !== undefined) settings = readSettings(pushed);
    void loadSettings().then(() => {
      for (const d of documents.all()) publish(d);
    });
  });

  // Diagnostics: pushed on open at once, after changes debounced by darknet.diagnostics.debounceMs.

  const timers = new Map<string, NodeJS.Timeout>();

  function publish(doc: TextDocument): void {
    const a = analyses.get(doc);
    const diagnostics = [...a.net.diagnostics, ...(a.shifted?.diagnostics ?? [])].map(toLspDiagnostic);
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    void connection.sendNotification(NetworkSummaryNotification, { uri: doc.uri, summary: summarizeNetwork(a.net) });
  }

  function schedule(doc: TextDocument): void {
    const old = timers.get(doc.uri);
    if (old) clearTimeout(old);
    const ms = settings.diagnostics.debounceMs;
    if (ms <= 0) {
      timers.delete(doc.uri);
      publish(doc);
      return;
    }
    timers.set(
      doc.uri,
      setTimeout(() => {
        timers.delete(doc.uri);
        const current = documents.get(doc.uri);
        if (current) publish(current);
      }, ms),
    );
  }

  const opened = new Set<string>();
  const layouts = new GraphLayouts();
  documents.onDidOpen((e) => {
    const uri = e.document.uri;
    opened.add(uri);
    publish(e.document);
    // The graph is laid out once at open, in the background: the first dagre run in a process is its
    // slowest, and this way it is not on the path of a graph panel opened later (docs/network-graph.md §Performance).
    const a = analysisOf(uri);
    if (a && !layouts.has(uri)) void layouts.layout(uri, networkGraph(a.net, uri, a.version)).catch(() => undefined);
  });
  documents.onDidChangeContent((e) => {
    // onDidChangeContent also fires for the open itself, which onDidOpen has published.
    if (opened.delete(e.document.uri)) return;
    schedule(e.document);
  });
  documents.onDidSave((e) => {
    analyses.acceptBaseline(e.document);
    publish(e.document);
  });
  documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    opened.delete(e.document.uri);
    layouts.drop(e.document.uri);
    analyses.drop(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  // A pruned cfg (prune-report.json beside it) is compared with its original, once per analysed version.
  // Its report and original are read asynchronously (a cloned repository may point them anywhere), so
  // the handlers that show it wait for that without holding up other requests.
  const originals = new OriginalFinder((message) => connection.console.warn(`darknet: ${message}`));
  const prunedViews = new WeakMap<Network, Promise<PrunedView | undefined>>();
  function prunedOf(uri: string, net: Network): Promise<PrunedView | undefined> {
    let v = prunedViews.get(net);
    if (v === undefined) {
      const file = URI.parse(uri);
      v = file.scheme === 'file' ? prunedView(originals, file.fsPath, net) : Promise.resolve(undefined);
      prunedViews.set(net, v);
    }
    return v;
  }

  /** The current analysis of an open document. */
  function analysisOf(uri: string) {
    const doc = documents.get(uri);
    return doc ? { doc, ...analyses.get(doc) } : undefined;
  }

  connection.onHover(async ({ textDocument, position }) => {
    const a = analysisOf(textDocument.uri);
    const h = a && hoverAt(a.net, position);
    if (!h) return null;
    const layer = a.net.layers.find((l) => l.section.headerRange.start.line === position.line);
    const pruned = layer && (await prunedOf(textDocument.uri, a.net));
    const extra = pruned && layer ? prunedHoverMarkdown(pruned, layer) : undefined;
    return { contents: { kind: MarkupKind.Markdown, value: extra ? h.markdown + '\n' + extra : h.markdown }, range: h.range };
  });

  connection.onDefinition(({ textDocument, position }) => {
    const a = analysisOf(textDocument.uri);
    const t = a && definitionAt(a.net, position);
    return t ? { uri: textDocument.uri, range: t.selectionRange } : null;
  });

  connection.onReferences(({ textDocument, position, context }) => {
    const a = analysisOf(textDocument.uri);
    return a ? referencesAt(a.net, position, context.includeDeclaration).map((r) => ({ uri: textDocument.uri, range: r.range })) : null;
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const a = analysisOf(textDocument.uri);
    return a ? documentSymbols(a.net).map(toDocumentSymbol) : null;
  });

  connection.onFoldingRanges(({ textDocument }) => {
    const a = analysisOf(textDocument.uri);
    return a ? foldingRanges(a.net) : null;
  });

  connection.languages.inlayHint.on(async ({ textDocument, range }) => {
    const a = analysisOf(textDocument.uri);
    if (!a) return null;
    const pruned = await prunedOf(textDocument.uri, a.net);
    return [...inlayHints(a.net, range, settings.inlayHints), ...(pruned ? prunedInlays(pruned, a.net, range) : [])].map(toInlayHint);
  });

  connection.onCodeLens(async ({ textDocument }) => {
    const a = analysisOf(textDocument.uri);
    if (!a || !settings.codeLens.enable) return [];
    // An empty command id makes VS Code show the lens as plain text.
    const lenses: CodeLens[] = codeLenses(a.net).map((l) => ({ range: l.range, command: { title: l.title, command: '' } }));
    const pruned = await prunedOf(textDocument.uri, a.net);
    if (pruned && a.net.net.section) {
      const range = a.net.net.section.headerRange;
      lenses.push({ range, command: { title: prunedLensTitle(pruned), command: '' } });
      lenses.push({ range, command: compareWithOriginalCommand('Compare with original', textDocument.uri) });
    }
    return lenses;
  });

  connection.onCompletion(({ textDocument, position }) => {
    const a = analysisOf(textDocument.uri);
    return a ? { isIncomplete: false, items: completionsAt(a.net, position).map(toCompletionItem) } : null;
  });

  connection.onCodeAction(({ textDocument, range, context }) => {
    const a = analysisOf(textDocument.uri);
    if (!a) return null;
    // Fixes come from the current analysis (not from the diagnostics' `data`, which may be a version old).
    let actions = codeActions(a.net, a.shifted, range);
    if (context.only?.length) actions = actions.filter((x) => context.only!.some((k) => x.kind === k || x.kind.startsWith(k + '.')));
    const version = client.documentChanges ? a.doc.version : undefined;
    const quickFixes =
      !context.only?.length || context.only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.'));
    const bom = quickFixes ? bomActions(a.net, range) : [];
    return [...bom, ...actions.map((x) => toCodeAction(textDocument.uri, x, version))];
  });

  connection.onRequest(NetworkGraphRequest, async ({ uri }) => {
    const a = analysisOf(uri);
    if (!a) return null;
    const g = networkGraph(a.net, uri, a.version, await prunedOf(uri, a.net));
    return { ...g, layout: await layouts.layout(uri, g) };
  });

  const listening = documents.listen(connection);
  return {
    dispose() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      layouts.dispose();
      listening.dispose();
    },
  };
}
