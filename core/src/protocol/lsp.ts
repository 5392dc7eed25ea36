// The language server's extensions to LSP, typed once and imported by the server (sender) and the
// extension's LanguageClient (receiver), as vscode-eslint does with its shared custom messages.

import { NotificationType, RequestType, type Command } from 'vscode-languageserver-protocol';
import type { NetworkGraph } from './graph';
import type { NetworkSummaryParams } from '../lang/summary';

/** Server → client, with each diagnostics push: the network summary of the document. */
export const NetworkSummaryNotification = new NotificationType<NetworkSummaryParams>('darknet/networkSummary');

export interface NetworkGraphParams {
  uri: string;
}

/**
 * Client → server: the graph of an open document's current analysis (null when it is not open).
 * The client asks again after each darknet/networkSummary of that document, so the graph panel
 * follows edits without a second analysis in the extension host.
 */
export const NetworkGraphRequest = new RequestType<NetworkGraphParams, NetworkGraph | null, void>('darknet/networkGraph');

/** Client commands the server puts into code lenses (declared in package.json, run by the client). */
export const LENS_COMMANDS = {
  compareWithOriginal: 'darknet.compareWithOriginal',
} as const;

/** The lens on a pruned cfg's `[net]`: the client compares the document (URI string) with its original. */
export function compareWithOriginalCommand(title: string, documentUri: string): Command {
  return { title, command: LENS_COMMANDS.compareWithOriginal, arguments: [documentUri] };
}
