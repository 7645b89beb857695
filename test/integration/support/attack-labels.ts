import { readFileSync } from 'node:fs';

/** One attack of a generated capture's `<capture>.attacks.json`. */
export interface LabelledAttack {
  id: string;
  kind: string;
  technique: string;
  startMs: number;
  endMs: number;
  attackers: string[] | 'spoofed';
  victims: string[];
}

export interface AttackLabels {
  attacks: LabelledAttack[];
  segments: { name: string; cidrs: string[]; benignFlows: number }[];
}

export function readAttackLabels(capture: string): AttackLabels {
  return JSON.parse(readFileSync(`${capture}.attacks.json`, 'utf8')) as AttackLabels;
}

/** The subset of an ECS alert the matching needs. */
export interface AlertLike {
  event: { start?: string; end?: string };
  source: { ip: string };
  destination: { ip: string };
}

/** Slack around an attack's span: flows end up to an idle timeout after their last packet. */
const SLACK_MS = 60_000;

/** The attack an alert points at, judged by time span and the hosts involved; undefined = a false alert. */
export function attackOf(alert: AlertLike, attacks: readonly LabelledAttack[]): LabelledAttack | undefined {
  const start = Date.parse(alert.event.start ?? alert.event.end ?? '');
  const end = Date.parse(alert.event.end ?? alert.event.start ?? '');
  const hosts = [alert.source.ip, alert.destination.ip];
  return attacks.find((attack) => {
    if (end < attack.startMs - SLACK_MS || start > attack.endMs + SLACK_MS) return false;
    const victimHit = attack.victims.some((v) => hosts.some((h) => inVictim(h, v)));
    if (attack.attackers === 'spoofed') return victimHit;
    return attack.attackers.some((a) => hosts.includes(a));
  });
}

function inVictim(ip: string, victim: string): boolean {
  const [address, suffix] = victim.split(/[/:](?=\d+$)/);
  if (victim.includes('/')) {
    const bits = Number(suffix);
    return ipv4ToInt(ip) >>> (32 - bits) === ipv4ToInt(address!) >>> (32 - bits);
  }
  return ip === address;
}

function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4) return -1;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}
