// One analysed network per document version, shared by every handler, plus the per-document
// baseline that reference repair compares against.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Network } from '../../core/src/cfg/network';
import { shiftedReferences, type ShiftedReferences } from '../../core/src/lang/repair';

export interface Analysis {
  version: number;
  net: Network;
  /** References moved relative to the baseline (undefined when none). */
  shifted: ShiftedReferences | undefined;
}

interface Entry {
  analysis: Analysis | undefined;
  /** Last version whose references are taken as intended. */
  baseline: Network | undefined;
  /** The file on disk starts with a BOM (the editor's text does not show it); read at open and save. */
  bom: boolean;
}

export class Analyses {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly fileHasBom: (uri: string) => boolean = () => false) {}

  /** The analysis of this exact version, computed at most once. */
  get(doc: TextDocument): Analysis {
    let e = this.entries.get(doc.uri);
    if (!e) {
      e = { analysis: undefined, baseline: undefined, bom: this.fileHasBom(doc.uri) };
      this.entries.set(doc.uri, e);
    }
    if (e.analysis?.version === doc.version) return e.analysis;
    const net = analyseText(doc.getText(), { bom: e.bom });
    if (!e.baseline) e.baseline = net;
    let shifted = shiftedReferences(e.baseline, net);
    // Nothing shifted: this text's references are as intended (including right after a repair was applied).
    if (!shifted) e.baseline = net;
    else if (shifted.diagnostics.length === 0) shifted = undefined;
    e.analysis = { version: doc.version, net, shifted };
    return e.analysis;
  }

  /** Take the current text as intended (on save). */
  acceptBaseline(doc: TextDocument): void {
    const e = this.entries.get(doc.uri);
    const bom = this.fileHasBom(doc.uri);
    if (e && e.bom !== bom) {
      e.bom = bom;
      e.analysis = undefined;
    }
    const a = this.get(doc);
    this.entries.get(doc.uri)!.baseline = a.net;
    a.shifted = undefined;
  }

  drop(uri: string): void {
    this.entries.delete(uri);
  }
}
