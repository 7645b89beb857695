import type { Alert } from '../alert.js';
import { ALERT_RULES, type AlertRuleDefinition } from '../rules.js';

const RULES_BY_PUBLIC_ID: ReadonlyMap<string, AlertRuleDefinition> = new Map(
  Object.values(ALERT_RULES).map((rule) => [rule.id, rule]),
);

/**
 * Facts several wire formats derive the same way from an alert. Kept in one place so CEF, LEEF
 * and EVE never disagree about a signature number or a protocol name for the same alert.
 */
export const alertFacts = {
  /**
   * The numeric signature id of the alert's rule (EVE `signature_id`, CEF SignatureID), or
   * undefined for a rule id the catalogue does not know (an alert written by a newer version).
   */
  signatureId(alert: Alert): number | undefined {
    return RULES_BY_PUBLIC_ID.get(alert.rule.id)?.signatureId;
  },

  /** Rule revision as an integer (EVE `rev`); 1 when the version is not a plain number. */
  ruleRevision(alert: Alert): number {
    const rev = Number.parseInt(alert.rule.version, 10);
    return Number.isInteger(rev) && rev > 0 ? rev : 1;
  },

  /**
   * Protocol name as Suricata, CEF and LEEF consumers expect it: upper case, with IANA's
   * spelling for ICMPv6; an unnamed protocol stays its number.
   */
  protocolName(alert: Alert): string {
    const transport = alert.network.transport;
    if (transport === 'ipv6-icmp') return 'IPv6-ICMP';
    return transport.toUpperCase();
  },

  /** Event time (the flow's end) as epoch milliseconds. */
  timeMs(alert: Alert): number {
    return Date.parse(alert['@timestamp']);
  },

  /** True for an IPv6 literal. */
  isIpv6(ip: string): boolean {
    return ip.includes(':');
  },
};
