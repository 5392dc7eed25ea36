// Core results → LSP types.

import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  InlayHintKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
  type CompletionItem,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type InlayHint,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { Diagnostic, Fix, Severity } from '../../core/src/cfg/network';
import type { Action } from '../../core/src/lang/actions';
import type { Completion } from '../../core/src/lang/completion';
import type { Inlay } from '../../core/src/lang/inlay';
import type { OutlineSymbol, SymbolKind as CoreSymbolKind } from '../../core/src/lang/outline';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What a published diagnostic carries in `data`. */
export interface DiagnosticData {
  fix?: Fix;
}

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const out: LspDiagnostic = { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: 'darknet', message: d.message };
  if (d.fix) out.data = { fix: d.fix } satisfies DiagnosticData;
  return out;
}

export function toWorkspaceEdit(uri: string, edits: Fix['edits'], version?: number): WorkspaceEdit {
  const sorted = [...edits].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  if (version === undefined) return { changes: { [uri]: sorted } };
  return { documentChanges: [{ textDocument: { uri, version }, edits: sorted }] };
}

export function toCodeAction(uri: string, a: Action, version?: number): CodeAction {
  const action = CodeAction.create(
    a.title,
    toWorkspaceEdit(uri, a.edits, version),
    a.kind === 'quickfix' ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
  );
  if (a.diagnostics.length) action.diagnostics = a.diagnostics.map(toLspDiagnostic);
  if (a.isPreferred) action.isPreferred = true;
  return action;
}

const COMPLETION_KIND: Record<Completion['kind'], CompletionItemKind> = {
  section: CompletionItemKind.Class,
  key: CompletionItemKind.Property,
  value: CompletionItemKind.EnumMember,
};

export function toCompletionItem(c: Completion): CompletionItem {
  return {
    label: c.label,
    kind: COMPLETION_KIND[c.kind],
    detail: c.detail,
    documentation: c.documentation ? { kind: MarkupKind.Markdown, value: c.documentation } : undefined,
    textEdit: { range: c.range, newText: c.insertText },
    insertTextFormat: c.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    sortText: c.sortText,
    filterText: c.kind === 'section' ? c.label : undefined,
  };
}

const SYMBOL_KIND: Record<CoreSymbolKind, SymbolKind> = {
  net: SymbolKind.Module,
  layer: SymbolKind.Function,
  head: SymbolKind.Event,
  merge: SymbolKind.Operator,
  unknown: SymbolKind.Null,
  option: SymbolKind.Property,
};

export function toDocumentSymbol(s: OutlineSymbol): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: SYMBOL_KIND[s.kind],
    range: s.range,
    selectionRange: s.selectionRange,
    children: s.children.map(toDocumentSymbol),
  };
}

export function toInlayHint(h: Inlay): InlayHint {
  return {
    position: h.position,
    label: h.label,
    kind: h.kind === 'layer' ? InlayHintKind.Type : InlayHintKind.Parameter,
    paddingLeft: true,
    tooltip: h.tooltip,
  };
}
