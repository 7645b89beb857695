/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum Kafka's record batch v2 carries in its
 * `crc` field (KIP-98). The older message formats used plain CRC-32; v2 switched to Castagnoli because CPUs
 * compute it in hardware, so a zlib CRC-32 would reject every real client's batch.
 */

const POLYNOMIAL = 0x82f63b78;

/** One 256-entry lookup table, built once: byte-at-a-time is plenty for test traffic. */
const TABLE: Uint32Array = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) {
      c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32C of `data[start, end)` as an unsigned 32-bit number.
 *
 * @param data - bytes to checksum
 * @param start - first byte included (default 0)
 * @param end - one past the last byte included (default `data.length`)
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc = TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
