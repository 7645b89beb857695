import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFlowFile, sniffInputKind } from './read-flow-file.js';

const HEADER =
  'ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,service,duration,orig_bytes,resp_bytes,conn_state,local_orig,local_resp,missed_bytes,history,orig_pkts,orig_ip_bytes,resp_pkts,resp_ip_bytes,tunnel_parents,label,detailed-label';

async function fixture(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tapwatch-files-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('readFlowFile', () => {
  it('reads an IoT-23 CSV, sorts by end, keeps labels with their rows and points at lines', async () => {
    const file = await fixture(
      'scenario.csv',
      [
        HEADER,
        '1538478779.5,C2,192.168.100.103,34486,192.168.100.1,53,udp,dns,0.5,90,90,SF,,,0,Dd,2,146,2,146,,Malicious,C&C-Torii',
        '1538478769.5,C1,192.168.100.103,37082,192.168.100.1,80,tcp,,,,,S0,,,0,S,1,60,0,0,,Benign,-',
        // Starts first, ends last: a connection of an hour.
        '1538478760.0,C3,192.168.100.103,41000,192.168.100.1,443,tcp,ssl,3600,900,90000,SF,,,0,ShADadFf,40,3000,80,94000,,Benign,-',
        '',
      ].join('\n'),
    );
    const read = await readFlowFile(file);
    expect(read.format).toBe('iot23-csv');
    expect(read.errors).toEqual([]);
    expect(read.flows.map((f) => f.start)).toEqual([1538478769500, 1538478779500, 1538478760000]);
    expect(read.flows.at(-1)!.end).toBe(1538482360000);
    expect(Array.from(read.labels!)).toEqual([0, 1, 0]);
    expect(read.detailedLabels).toEqual(['', 'C&C-Torii', '']);
    const [tcp, udp] = read.flows;
    expect(tcp).toMatchObject({ proto: 6, dstPort: 80, bytesFwd: 60, pktsFwd: 1, end: 1538478769500 });
    expect(tcp!.tcpFlagsFwd).toBe(0x02);
    expect(udp).toMatchObject({ proto: 17, bytesFwd: 146, bytesRev: 146, end: 1538478780000 });
    expect(udp!.source).toEqual({ format: 'iot23-csv', origin: file, offset: '2' });
  });

  it('skips a bad row with an error naming file and line, and reads the rest', async () => {
    const file = await fixture(
      'bad.csv',
      [
        HEADER,
        '1538478769.5,C1,not-an-ip,1,192.168.1.1,53,udp,,,,,,,,,,1,60,0,0,,Benign,-',
        `1538478770,C2,10.0.0.1,1,10.0.0.2,53,udp,,,,,,,,,,1,60,0,0,,Benign,-`,
      ].join('\n'),
    );
    const read = await readFlowFile(file);
    expect(read.flows).toHaveLength(1);
    expect(read.errors[0]!.message).toBe(`${file}:2: id.orig_h: expected an IP address, got "not-an-ip"`);
  });

  it('reads Zeek conn JSON lines and tapwatch FlowRecord JSON lines', async () => {
    const zeek = await fixture(
      'conn.log',
      `${JSON.stringify({ ts: 1700000000.25, 'id.orig_h': '10.0.0.1', 'id.orig_p': 5000, 'id.resp_h': '10.0.0.2', 'id.resp_p': 443, proto: 'tcp', duration: 1, orig_ip_bytes: 100, orig_pkts: 2, history: 'ShADad', conn_state: 'SF' })}\n\n`,
    );
    const z = await readFlowFile(zeek);
    expect(z.format).toBe('zeek');
    expect(z.flows[0]).toMatchObject({
      start: 1700000000250,
      end: 1700000001250,
      dstPort: 443,
      bytesFwd: 100,
    });
    expect(z.flows[0]!.source.offset).toBe('1');
    expect(z.labels).toBeUndefined();

    const own = await fixture(
      'flows.jsonl',
      `${JSON.stringify({ start: 2000, end: 2500, srcIp: '10.0.0.1', dstIp: '10.0.0.9', srcPort: 1, dstPort: 22, proto: 6, bytesFwd: 10, pktsFwd: 1, bytesRev: 0, pktsRev: 0, label: 'malicious' })}\n{oops\n${JSON.stringify({ start: 1000, srcIp: '10.0.0.1', dstIp: '10.0.0.9', srcPort: 1, dstPort: 22, proto: 6, label: 0 })}\n`,
    );
    const t = await readFlowFile(own);
    expect(t.format).toBe('tapwatch');
    expect(t.flows.map((f) => f.start)).toEqual([1000, 2000]);
    expect(Array.from(t.labels!)).toEqual([0, 1]);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]!.message).toMatch(/flows\.jsonl:2: /);
  });

  it('tells captures from flow files by magic number', async () => {
    const pcap = await fixture('x.csv', '');
    await writeFile(pcap, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]));
    expect(await sniffInputKind(pcap)).toBe('capture');
    expect(await sniffInputKind(await fixture('y.pcap', `${HEADER}\n`))).toBe('flow-file');
  });
});
