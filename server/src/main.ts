// The bundle's entry (server/out/server.js): `node server/out/server.js --stdio` (or --node-ipc, as
// the extension starts it). Never write to stdout: it is the protocol.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createServer } from './server';

const connection = createConnection(ProposedFeatures.all);
createServer(connection);
connection.listen();
