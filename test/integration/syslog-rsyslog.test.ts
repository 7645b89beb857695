import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { buildAlert } from '../../src/alerts/build-alert.js';
import { classifyDetection } from '../../src/alerts/classify-detection.js';
import type { AlertLogFn } from '../../src/alerts/sinks/alert-sink.js';
import { SyslogSink, type SyslogSinkOptions } from '../../src/alerts/sinks/syslog-sink.js';
import { makeDetection, makeFlow } from '../../src/alerts/testing/make-detection.js';

const RSYSLOGD = '/usr/sbin/rsyslogd';

/** One record as the rsyslog template below writes it: parsed header fields, then the raw MSG. */
interface Received {
  protocolVersion: string;
  facility: number;
  severity: number;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  msg: string;
}

const FIELD_COUNT = 8;

/**
 * rsyslog listens on UDP and TCP and writes every message through a template of the fields its
 * RFC 5424 parser extracted, tab-separated, MSG last (LEEF's tabs then stay inside the last
 * field). Control-character escaping is off so the LEEF tab delimiter arrives unchanged.
 */
function rsyslogConfig(dir: string, udpPort: number, tcpPort: number): string {
  return `
global(workDirectory="${dir}" parser.escapeControlCharactersOnReceive="off" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="fields" type="string"
  string="%protocol-version%\\t%syslogfacility%\\t%syslogseverity%\\t%hostname%\\t%app-name%\\t%procid%\\t%msgid%\\t%structured-data%\\t%msg%\\n")
ruleset(name="alerts") {
  action(type="omfile" file="${path.join(dir, 'received.log')}" template="fields")
}
input(type="imudp" address="127.0.0.1" port="${udpPort}" ruleset="alerts")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}" ruleset="alerts")
`;
}

let dir: string;
let rsyslog: ChildProcess | undefined;
let rsyslogOutput = '';
let udpPort: number;
let tcpPort: number;
const logs: string[] = [];
const log: AlertLogFn = (level, msg) => logs.push(`${level}: ${msg}`);

function received(): Received[] {
  const file = path.join(dir, 'received.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parts = line.split('\t');
      const [protocolVersion, facility, severity, hostname, appName, procId, msgId, structuredData] = parts;
      return {
        protocolVersion,
        facility: Number(facility),
        severity: Number(severity),
        hostname,
        appName,
        procId,
        msgId,
        structuredData,
        msg: parts.slice(FIELD_COUNT).join('\t'),
      };
    });
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline || rsyslog?.exitCode != null) {
      throw new Error(
        `${what}: not seen within ${timeoutMs} ms; rsyslogd said: ${rsyslogOutput || '(nothing)'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function freeTcpPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function tcpAccepts(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') return false;
    throw err;
  } finally {
    socket.destroy();
  }
}

/** A high-severity SYN flood alert (tapwatch 4 → syslog err, 3) from source port `srcPort`. */
function floodAlert(srcPort: number): Alert {
  const detection = makeDetection({
    flow: makeFlow({
      srcIp: '198.51.100.7',
      srcPort,
      pktsFwd: 1,
      bytesFwd: 60,
      pktsRev: 0,
      bytesRev: 0,
      tcpFlags: 2,
    }),
    score: 9.5,
    windows: [
      {
        windowSeconds: 1,
        endMs: Date.UTC(2024, 4, 1, 12, 0, 1),
        flows: 5000,
        bytes: 300_000,
        packets: 5000,
        distinctDstHosts: 1,
        distinctDstPorts: 1,
        distinctSrcHosts: 2113,
        synOnlyRatio: 0.97,
        failedRatio: 0.98,
        dstPortEntropy: 0,
      },
    ],
  });
  return buildAlert(detection, classifyDetection(detection), { observerVersion: '0.1.0' });
}

async function sendThrough(options: Omit<SyslogSinkOptions, 'log'>, alerts: Alert[]): Promise<void> {
  const sink = new SyslogSink({ ...options, log });
  for (const alert of alerts) sink.write(alert);
  await sink.flush();
  await sink.close();
  expect(sink.stats()).toMatchObject({ sent: alerts.length, dropped: 0, truncated: 0 });
}

function messagesFrom(hostname: string, count: number): Promise<Received[]> {
  return waitFor(`${count} messages from ${hostname}`, () => {
    const mine = received().filter((r) => r.hostname === hostname);
    return mine.length >= count ? mine : undefined;
  });
}

beforeAll(async () => {
  try {
    await access(RSYSLOGD, constants.X_OK);
  } catch (err) {
    throw new Error(
      `${RSYSLOGD} is missing or not executable: install Debian's rsyslog package (apt-get install rsyslog)`,
      {
        cause: err,
      },
    );
  }
  dir = mkdtempSync(path.join(tmpdir(), 'tapwatch-rsyslog-'));
  udpPort = await freeUdpPort();
  tcpPort = await freeTcpPort();
  const configFile = path.join(dir, 'rsyslog.conf');
  writeFileSync(configFile, rsyslogConfig(dir, udpPort, tcpPort));
  rsyslog = spawn(RSYSLOGD, ['-n', '-f', configFile, '-i', path.join(dir, 'rsyslogd.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  rsyslog.stdout?.on('data', (chunk) => {
    rsyslogOutput += chunk;
  });
  rsyslog.stderr?.on('data', (chunk) => {
    rsyslogOutput += chunk;
  });
  await pollTcpReady();
  // UDP has no handshake: resend a probe until rsyslog has written one.
  const probe = createSocket('udp4');
  try {
    await waitFor('UDP probe', () => {
      probe.send(`<14>1 - probe-host probe - - - ready`, udpPort, '127.0.0.1');
      return received().some((r) => r.hostname === 'probe-host') ? true : undefined;
    });
  } finally {
    probe.close();
  }
});

async function pollTcpReady(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await tcpAccepts(tcpPort))) {
    if (Date.now() > deadline || rsyslog?.exitCode != null) {
      throw new Error(
        `rsyslogd did not listen on TCP ${tcpPort} within 10 s: ${rsyslogOutput || '(no output)'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterAll(async () => {
  const child = rsyslog;
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('SyslogSink into a real rsyslogd', () => {
  it('UDP + CEF: rsyslog parses RFC 5424 with local4/err, the app name and the CEF payload', async () => {
    await sendThrough(
      {
        address: `127.0.0.1:${udpPort}`,
        transport: 'udp',
        format: 'cef',
        hostname: 'udp-cef',
        productVersion: '0.1.0',
      },
      [floodAlert(40001), floodAlert(40002)],
    );
    const [first, second] = await messagesFrom('udp-cef', 2);
    expect(first).toMatchObject({
      protocolVersion: '1',
      facility: 20,
      severity: 3,
      appName: 'tapwatch',
      procId: String(process.pid),
      msgId: 'CEF',
      structuredData: '[origin software="tapwatch" swVersion="0.1.0"][meta sequenceId="1"]',
    });
    expect(first.msg).toMatch(/^CEF:0\|tapwatch\|tapwatch\|0\.1\.0\|1900001\|SYN flood\|7\|rt=\d+ /);
    expect(first.msg).toContain(' src=198.51.100.7 spt=40001 dst=10.2.0.10 dpt=443 proto=TCP ');
    expect(second.structuredData).toContain('sequenceId="2"');
    expect(second.msg).toContain(' spt=40002 ');
  });

  it('UDP + LEEF: the tab-delimited LEEF 2.0 payload arrives whole', async () => {
    await sendThrough(
      {
        address: `127.0.0.1:${udpPort}`,
        transport: 'udp',
        format: 'leef',
        hostname: 'udp-leef',
        facility: 16,
      },
      [floodAlert(40003)],
    );
    const [record] = await messagesFrom('udp-leef', 1);
    expect(record).toMatchObject({
      protocolVersion: '1',
      facility: 16,
      severity: 3,
      appName: 'tapwatch',
      msgId: 'LEEF',
    });
    expect(record.msg).toMatch(/^LEEF:2\.0\|tapwatch\|tapwatch\|0\.1\.0\|tapwatch-syn-flood\|x09\|devTime=/);
    const attributes = new Map(
      record.msg
        .split('|')
        .slice(6)
        .join('|')
        .split('\t')
        .map((kv) => kv.split('=', 2) as [string, string]),
    );
    expect(attributes.get('srcPort')).toBe('40003');
    expect(attributes.get('sev')).toBe('7');
  });

  it('TCP (octet counting) + CEF: every alert arrives as its own record, in order', async () => {
    const alerts = Array.from({ length: 20 }, (_, i) => floodAlert(41000 + i));
    await sendThrough(
      { address: `127.0.0.1:${tcpPort}`, transport: 'tcp', format: 'cef', hostname: 'tcp-cef' },
      alerts,
    );
    const records = await messagesFrom('tcp-cef', 20);
    expect(records).toHaveLength(20);
    expect(
      records.every((r) => r.protocolVersion === '1' && r.facility === 20 && r.appName === 'tapwatch'),
    ).toBe(true);
    expect(records.map((r) => /spt=(\d+)/.exec(r.msg)?.[1])).toEqual(
      alerts.map((a) => String(a.source.port)),
    );
  });

  it('TCP (LF framing) + LEEF with a caret delimiter', async () => {
    await sendThrough(
      {
        address: `127.0.0.1:${tcpPort}`,
        transport: 'tcp',
        framing: 'lf',
        format: 'leef',
        leef: { delimiter: 'caret' },
        hostname: 'tcp-leef',
      },
      [floodAlert(42001), floodAlert(42002)],
    );
    const records = await messagesFrom('tcp-leef', 2);
    expect(records.map((r) => r.msgId)).toEqual(['LEEF', 'LEEF']);
    expect(records[0].msg).toMatch(
      /^LEEF:2\.0\|tapwatch\|tapwatch\|0\.1\.0\|tapwatch-syn-flood\|\^\|devTime=/,
    );
    expect(records[1].msg).toContain('^srcPort=42002^');
  });
});
