// Byte counts for messages: "4 GiB", "250 MiB", "1.3 PiB".

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'more than any memory';
  if (n < 1024) return `${n} bytes`;
  let u = -1;
  while (n >= 1024 && u < UNITS.length - 1) {
    n /= 1024;
    u++;
  }
  return `${+n.toFixed(1)} ${UNITS[u]}`;
}
