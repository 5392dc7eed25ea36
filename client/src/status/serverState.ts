// What the language status item says about the language server, as a pure function of its phase.

import { COMMANDS } from '../constants';

export type ServerPhase =
  | { kind: 'starting' }
  | { kind: 'ready'; serverName?: string; serverVersion?: string }
  | { kind: 'stopped' }
  | { kind: 'failed'; error: string };

export type StatusSeverity = 'information' | 'warning' | 'error';

export interface StatusView {
  text: string;
  detail: string;
  severity: StatusSeverity;
  busy: boolean;
  command: { title: string; command: string };
}

const showOutput = { title: 'Show Output', command: COMMANDS.showServerOutput };
const restart = { title: 'Restart', command: COMMANDS.restartServer };

export function describeServerPhase(phase: ServerPhase): StatusView {
  switch (phase.kind) {
    case 'starting':
      return {
        text: '$(sync~spin) Darknet: starting',
        detail: 'Language server starting',
        severity: 'information',
        busy: true,
        command: showOutput,
      };
    case 'ready': {
      const who = phase.serverName ? `${phase.serverName}${phase.serverVersion ? ` ${phase.serverVersion}` : ''}` : 'Language server';
      return { text: '$(check) Darknet', detail: `${who} ready`, severity: 'information', busy: false, command: showOutput };
    }
    case 'stopped':
      return {
        text: '$(debug-stop) Darknet: stopped',
        detail: 'Language server stopped',
        severity: 'warning',
        busy: false,
        command: restart,
      };
    case 'failed':
      return { text: '$(error) Darknet: server failed', detail: firstLine(phase.error), severity: 'error', busy: false, command: restart };
  }
}

function firstLine(s: string): string {
  const line = s.split(/\r?\n/, 1)[0].trim() || 'unknown error';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
