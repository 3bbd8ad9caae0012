// An index segment's file: the segment's JSON (traceIndex.ts) wrapped with its CRC-32, so a
// segment changed on disk (a bit flipped, a hand edit that still parses) is found at open and
// rebuilt from the packs rather than trusted:
//
//   {"version":3,"crc32":"<8 hex>","segment":<the segment's JSON>}
//
// Files written before checksums (the segment's JSON alone, `"version":2`) still read.

import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from './atomicWrite';
import { CorruptFileError } from './storeFiles';

const HEAD = '{"version":3,"crc32":"';
const MIDDLE = '","segment":';
const PREFIX_BYTES = HEAD.length + 8 + MIDDLE.length;
const TAIL = Buffer.from('}');

/** The file's bytes for a segment's JSON. */
export function sealSegment(json: Buffer): Buffer {
  const prefix = Buffer.from(`${HEAD}${crc32(json).toString(16).padStart(8, '0')}${MIDDLE}`);
  return Buffer.concat([prefix, json, TAIL]);
}

/** Writes a segment's file (atomically and durably: atomicWrite.ts). */
export function writeSegment(path: string, json: Buffer): Promise<void> {
  return writeFileAtomic(path, sealSegment(json));
}

/**
 * The segment a file holds, parsed; undefined when there is no file. Throws CorruptFileError
 * when it does not parse, does not match its checksum, or can not be read as a file (a
 * folder in its place, an I/O error): a segment is rebuilt from the packs, never a reason
 * for the store not to open.
 */
export async function readSegment(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new CorruptFileError(path, `can not be read: ${code ?? (err as Error).message}`);
  }
  let json = bytes;
  if (bytes.subarray(0, HEAD.length).toString('latin1') === HEAD) {
    json = bytes.subarray(PREFIX_BYTES, bytes.length - TAIL.length);
    const stored = bytes.toString('latin1', HEAD.length, HEAD.length + 8);
    if (
      bytes.length < PREFIX_BYTES + TAIL.length ||
      bytes.toString('latin1', HEAD.length + 8, PREFIX_BYTES) !== MIDDLE ||
      !bytes.subarray(bytes.length - TAIL.length).equals(TAIL)
    ) {
      throw new CorruptFileError(path, 'not an index segment');
    }
    if (crc32(json).toString(16).padStart(8, '0') !== stored)
      throw new CorruptFileError(path, 'does not match its checksum');
  }
  try {
    return JSON.parse(json.toString('utf8'));
  } catch (err) {
    throw new CorruptFileError(path, (err as Error).message);
  }
}
