// Identifiers shared by the extension host modules and checked against package.json by the tests.

export const LANGUAGE_ID = 'darknet-cfg';
/** Settings section; vscode-languageclient also reads `${CLIENT_ID}.trace.server` from it. */
export const CONFIG_SECTION = 'darknet';
export const CLIENT_ID = 'darknet';
export const CLIENT_NAME = 'Darknet Language Server';
/** The bundled server, relative to the extension root. */
export const SERVER_MODULE = 'server/out/server.js';

export const COMMANDS = {
  treatAsDarknetCfg: 'darknet.treatAsDarknetCfg',
  restartServer: 'darknet.restartServer',
  showServerOutput: 'darknet.showServerOutput',
} as const;

export const STATUS_ITEMS = {
  server: 'darknet.server',
  network: 'darknet.network',
} as const;
