// "Darknet: Show Network Graph": one graph panel per cfg document. The graph comes from the language
// server (darknet/networkGraph, from its one analysis) and is fetched again after each analysis the
// server publishes for that document, so the panel follows edits. A click on a layer reveals its
// section; the editor's cursor highlights its layer. The γ histogram can lay its live threshold
// over the graph of the same cfg.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NetworkGraph } from '../../../core/src/protocol/graph';
import type { GammaOverlay } from '../../../webviews/src/shared/protocol';
import { LANGUAGE_ID } from '../constants';
import type { DarknetLanguageClient } from '../languageClient';
import { DarknetPanel, type PanelHandlers, type PanelKind } from '../panels/webviewPanel';
import { layerAtLine } from './layerAtLine';

export const GRAPH: PanelKind = { viewType: 'darknet.graph', script: 'graph', title: 'Network graph' };

export class GraphPanels implements vscode.Disposable {
  /** The last graph sent to each document's panel. */
  private readonly graphs = new Map<string, NetworkGraph>();
  private readonly cursors = new Map<string, number | null>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly handlers: PanelHandlers;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: DarknetLanguageClient,
  ) {
    this.handlers = {
      onReady: async (p) => {
        this.cursors.delete(p.context.uri);
        const g = this.graphs.get(p.context.uri);
        if (g) p.show({ type: 'graph', view: g });
        await this.refresh(p.context.uri, true);
      },
      onMessage: async (p, m) => {
        if (m.type === 'reveal') await this.reveal(p.context.uri, m.index);
      },
    };
    this.subscriptions.push(
      DarknetPanel.registerSerializer(GRAPH, extensionUri, this.handlers),
      client.onDidSummarize((s) => void this.refresh(s.uri)),
      vscode.window.onDidChangeTextEditorSelection((e) =>
        this.cursorMoved(e.textEditor.document.uri.toString(), e.selections[0]?.active.line),
      ),
    );
  }

  async show(arg?: vscode.Uri): Promise<void> {
    const doc = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== LANGUAGE_ID) {
      void vscode.window.showInformationMessage('Open a Darknet cfg in the editor first, then run "Show Network Graph".');
      return;
    }
    const uri = doc.uri.toString();
    await this.client.start();
    DarknetPanel.show(GRAPH, this.extensionUri, this.handlers, { key: uri, uri }, `Graph: ${path.basename(doc.uri.path)}`);
  }

  /** Asks the server for the document's graph and sends it to its panel (if one is open). */
  private async refresh(uri: string, openIfNeeded = false): Promise<void> {
    const panel = DarknetPanel.find(GRAPH, uri);
    if (!panel) return;
    const g = await this.client.networkGraph(uri).catch(() => undefined);
    if (!g) {
      // After a window reload the panel can come back before its document: opening it (without an
      // editor) hands it to the server, whose first analysis brings the graph here.
      if (openIfNeeded)
        await vscode.workspace.openTextDocument(vscode.Uri.parse(uri)).then(
          () => this.client.start(),
          () => panel.post({ type: 'error', message: `Cannot open ${uri}` }),
        );
      return;
    }
    const last = this.graphs.get(uri);
    if (last && last.version > g.version) return; // an older answer overtaken by a newer one
    this.graphs.set(uri, g);
    panel.show({ type: 'graph', view: g });
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
    if (editor) this.cursorMoved(uri, editor.selection.active.line);
  }

  private cursorMoved(uri: string, line: number | undefined): void {
    const panel = DarknetPanel.find(GRAPH, uri);
    const g = this.graphs.get(uri);
    if (!panel || !g || line === undefined) return;
    const index = layerAtLine(g.nodes, line);
    if (this.cursors.get(uri) === index) return;
    this.cursors.set(uri, index);
    panel.post({ type: 'cursor', index });
  }

  private async reveal(uri: string, index: number): Promise<void> {
    const node = this.graphs.get(uri)?.nodes[index];
    if (!node) return;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
    const doc = visible?.document ?? (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri)));
    const at = new vscode.Range(node.line, 0, node.line, 0);
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection: at,
      preserveFocus: false,
    });
    editor.revealRange(new vscode.Range(node.line, 0, node.endLine, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** The γ histogram's live threshold over the graph of `cfgPath` (null removes it). */
  gammaOverlay(cfgPath: string, overlay: GammaOverlay | null): void {
    DarknetPanel.find(GRAPH, vscode.Uri.file(cfgPath).toString())?.post({ type: 'gammaOverlay', overlay });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
