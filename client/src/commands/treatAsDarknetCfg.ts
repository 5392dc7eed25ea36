// "Darknet: Treat File as Darknet cfg": switches a document (the active editor's, or the one whose
// editor context menu was used) to the darknet-cfg language, for cfgs no filename pattern or
// first-line rule catches. files.associations makes it permanent (docs/language.md).

import * as vscode from 'vscode';
import { LANGUAGE_ID } from '../constants';

async function targetDocument(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (!(uri instanceof vscode.Uri)) return vscode.window.activeTextEditor?.document;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return open ?? vscode.workspace.openTextDocument(uri);
}

export async function treatAsDarknetCfg(uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const doc = await targetDocument(uri);
  if (!doc) {
    void vscode.window.showInformationMessage('Open a Darknet .cfg file first, then run "Treat File as Darknet cfg".');
    return undefined;
  }
  if (doc.languageId === LANGUAGE_ID) return doc;
  return vscode.languages.setTextDocumentLanguage(doc, LANGUAGE_ID);
}
