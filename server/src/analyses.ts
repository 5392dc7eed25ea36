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
}

export class Analyses {
  private readonly entries = new Map<string, Entry>();

  /** The analysis of this exact version, computed at most once. */
  get(doc: TextDocument): Analysis {
    let e = this.entries.get(doc.uri);
    if (!e) { e = { analysis: undefined, baseline: undefined }; this.entries.set(doc.uri, e); }
    if (e.analysis?.version === doc.version) return e.analysis;
    const net = analyseText(doc.getText());
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
    const a = this.get(doc);
    this.entries.get(doc.uri)!.baseline = a.net;
    a.shifted = undefined;
  }

  drop(uri: string): void {
    this.entries.delete(uri);
  }
}
