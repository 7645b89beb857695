import type { AllowListEntryConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { RoutedFlow } from '../core/flow-record.js';
import { Cidr } from '../features/cidr.js';
import { parseIpAddress } from '../features/ip-address.js';
import { PrefixTable } from './prefix-table.js';
import { ALERT_RULES, type RuleId } from './rules.js';

/** One row to compile and where it was written, e.g. `allow.yaml: [3]`, for messages and logs. */
export interface AllowListRow {
  entry: AllowListEntryConfig;
  origin: string;
}

/** The row that allowed a detection. */
export interface AllowListMatch {
  /** Where the row was written, e.g. `config/tapwatch.yaml: alerts.allowList[0]`. */
  origin: string;
  reason: string | undefined;
}

interface CompiledRow {
  /** Position among all rows: the earliest matching row is the one reported. */
  index: number;
  origin: string;
  reason: string | undefined;
  ports: ReadonlySet<number> | undefined;
  segment: string | undefined;
  rules: ReadonlySet<RuleId> | undefined;
}

const RULE_BY_NAME: ReadonlyMap<string, RuleId> = new Map(
  (Object.keys(ALERT_RULES) as RuleId[]).flatMap((id) => [
    [id, id],
    [ALERT_RULES[id].id, id],
  ]),
);

/**
 * Compiled allow-list. Rows with networks go into prefix tables per side (`src`, `dst`, both for
 * `either`), so a lookup costs one hash probe per prefix length in use, not one test per row.
 * Immutable once built: a reload compiles a new list and swaps the reference, so a lookup never
 * sees half of an old and half of a new list.
 */
export class AllowList {
  /** The list that allows nothing. */
  static readonly EMPTY = new AllowList([]);

  readonly #bySource = new PrefixTable<CompiledRow>();
  readonly #byDestination = new PrefixTable<CompiledRow>();
  readonly #anyAddress: CompiledRow[] = [];
  readonly #size: number;

  private constructor(rows: readonly AllowListRow[]) {
    rows.forEach(({ entry, origin }, index) => {
      const row: CompiledRow = {
        index,
        origin,
        reason: entry.reason,
        ports: entry.ports === undefined || entry.ports.length === 0 ? undefined : new Set(entry.ports),
        segment: entry.segment,
        rules: compileRules(entry.rules, origin),
      };
      const cidrs =
        entry.cidr === undefined ? [] : typeof entry.cidr === 'string' ? [entry.cidr] : entry.cidr;
      if (cidrs.length === 0) this.#anyAddress.push(row);
      cidrs.forEach((text, i) => {
        const where = `${origin}.cidr${typeof entry.cidr === 'string' ? '' : `[${i}]`}`;
        const { network, prefix } = parseNetwork(text, where);
        const direction = entry.direction ?? 'either';
        if (direction !== 'dst') this.#bySource.add(network, prefix, row);
        if (direction !== 'src') this.#byDestination.add(network, prefix, row);
      });
    });
    this.#size = rows.length;
  }

  /**
   * Compile rows in order. Throws a `ConfigError` naming the row's field (`allow.yaml: [3].rules[0]:
   * ...`) for what the schema cannot check: unknown rule ids and malformed networks.
   */
  static compile(rows: readonly AllowListRow[]): AllowList {
    return rows.length === 0 ? AllowList.EMPTY : new AllowList(rows);
  }

  /** Rows in the list. */
  get size(): number {
    return this.#size;
  }

  /** The earliest row allowing `flow` under rule `ruleId`, or undefined when none does. */
  match(flow: RoutedFlow, ruleId: RuleId): AllowListMatch | undefined {
    if (this.#size === 0) return undefined;
    let best: CompiledRow | undefined;
    const consider = (row: CompiledRow): void => {
      if (best !== undefined && row.index >= best.index) return;
      if (row.segment !== undefined && row.segment !== flow.segment) return;
      if (row.ports !== undefined && !row.ports.has(flow.dstPort)) return;
      if (row.rules !== undefined && !row.rules.has(ruleId)) return;
      best = row;
    };
    for (const row of this.#anyAddress) consider(row);
    lookup(this.#bySource, flow.srcIp, consider);
    lookup(this.#byDestination, flow.dstIp, consider);
    const found = best as CompiledRow | undefined;
    return found === undefined ? undefined : { origin: found.origin, reason: found.reason };
  }
}

function lookup(table: PrefixTable<CompiledRow>, ipText: string, visit: (row: CompiledRow) => void): void {
  if (table.size === 0) return;
  const ip = parseIpAddress(ipText);
  if (ip !== null) table.forEachMatch(ip, visit);
}

function parseNetwork(text: string, where: string) {
  const withPrefix = text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`;
  const cidr = Cidr.parse(withPrefix, where);
  const network = parseIpAddress(withPrefix.slice(0, withPrefix.indexOf('/')));
  // Cidr.parse already rejected a bad address; this only narrows the type.
  if (network === null) throw new ConfigError(`${where}: invalid address "${text}"`);
  return { network, prefix: cidr.prefix };
}

function compileRules(rules: readonly string[] | undefined, origin: string): ReadonlySet<RuleId> | undefined {
  if (rules === undefined || rules.length === 0) return undefined;
  return new Set(
    rules.map((name, i) => {
      const id = RULE_BY_NAME.get(name);
      if (id === undefined) {
        const known = Object.values(ALERT_RULES).map((r) => JSON.stringify(r.id));
        throw new ConfigError(
          `${origin}.rules[${i}]: expected one of ${known.join(', ')}, got ${JSON.stringify(name)}`,
        );
      }
      return id;
    }),
  );
}
