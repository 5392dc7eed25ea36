// Packaging helpers shared by the package test and the e2e harness: build the production .vsix
// as `npm run package` does (esbuild --production, then vsce), list and extract a zip's entries.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** The vsce arguments of `npm run package`, with the output file replaced. */
export function vsceArgs(outFile: string): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.package ?? '';
  const m = /vsce package([^&|;]*)/.exec(script);
  if (!m) throw new Error(`package.json "package" script does not run "vsce package": ${script}`);
  const args = m[1].trim().split(/\s+/).filter(Boolean);
  const o = args.indexOf('-o');
  if (o >= 0) args.splice(o, 2);
  return ['package', ...args, '-o', outFile];
}

// Not copied into the staging tree: dependencies, VCS, tool caches, build outputs, old packages.
const notStaged = new Set(['node_modules', '.git', '.e2e', '.test-artifacts', 'out']);

/**
 * Builds the production bundles and packages them into outFile, exactly as `npm run package`
 * does (`node esbuild.mjs --production`, then vsce with the script's flags), but in a staging
 * copy of the repository (inside .test-artifacts/, so packages still resolve from the repo's
 * node_modules): the working tree's dev bundles, which other tests run, are never rewritten.
 * Everything else in the tree is staged, fixtures and tests included, so a .vscodeignore that
 * lets them through is caught. Set DARKNET_VSIX=<file> to use an already built .vsix.
 */
export function buildVsix(outFile: string): string {
  const given = process.env.DARKNET_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`DARKNET_VSIX=${given} does not exist`);
    return resolve(given);
  }
  const parent = join(repoRoot, '.test-artifacts');
  mkdirSync(parent, { recursive: true });
  const stage = mkdtempSync(join(parent, '.vsix-stage-'));
  try {
    const keep = (name: string) => !notStaged.has(name) && !name.endsWith('.vsix');
    for (const name of readdirSync(repoRoot).filter(keep)) {
      cpSync(join(repoRoot, name), join(stage, name), { recursive: true, filter: (src) => keep(basename(src)) });
    }
    run(process.execPath, ['esbuild.mjs', '--production'], stage);
    run(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), ...vsceArgs(resolve(outFile))], stage);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  if (!existsSync(outFile) || statSync(outFile).size === 0) throw new Error(`vsce did not write ${outFile}`);
  return outFile;
}

/** Extracts every entry of a zip into dir (entries stay below dir). */
export function extractZip(file: string, dir: string): void {
  for (const e of listZip(file)) {
    if (e.name.endsWith('/')) continue;
    const target = resolve(dir, e.name);
    if (!target.startsWith(resolve(dir) + '/')) throw new Error(`${file}: entry escapes the folder: ${e.name}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, readZipEntry(file, e));
  }
}

export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
  /** 0 = stored, 8 = deflate. */
  method: number;
  localHeaderOffset: number;
}

/** Lists the entries of a zip file from its central directory (no dependency, no extraction). */
export function listZip(file: string): ZipEntry[] {
  const buf = readFileSync(file);
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localHeaderOffset = buf.readUInt32LE(p + 42);
    entries.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), compressedSize, size, method, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Reads one entry's bytes (stored or deflated). */
export function readZipEntry(file: string, entry: ZipEntry): Buffer {
  const buf = readFileSync(file);
  const p = entry.localHeaderOffset;
  if (buf.readUInt32LE(p) !== 0x04034b50) throw new Error(`${file}: bad local header for ${entry.name}`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`${file}: ${entry.name}: unsupported compression method ${entry.method}`);
}
