// Shared by the OpenVINO tests: whether openvino-node loads here (probed in a child process, so the
// test process never maps libopenvino unless the test itself uses it), and the skip message.
import { spawnSync } from 'node:child_process';
import { REPO } from '../corpus';

let probed: string | undefined | null = null;

/** undefined when openvino-node works, else why it does not, with the command that enables it. */
export function openvinoMissing(): string | undefined {
  if (probed !== null) return probed;
  const r = spawnSync(process.execPath, ['-e', "const {addon}=require('openvino-node'); new addon.Core().getAvailableDevices()"], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  probed =
    r.status === 0
      ? undefined
      : `openvino-node does not load (${
          (r.stderr || '')
            .trim()
            .split('\n')
            .find((l) => /Error/.test(l)) ?? `exit ${r.status}`
        }); enable with: npm run setup:openvino`;
  return probed;
}
