import { ConversationEmitter } from '../tools/traffic/conversation-emitter.js';
import { CAPTURE_DURATION_US, CAPTURE_START_MS } from '../tools/traffic/generate-capture.js';
import { planIot } from '../tools/traffic/iot-model.js';
import { drawExternalPeers, type ModelContext } from '../tools/traffic/model-context.js';
import { siteLayout } from '../tools/traffic/network-layout.js';
import { planOffice } from '../tools/traffic/office-model.js';
import { PacketPlan } from '../tools/traffic/packet-plan.js';
import { Prng } from '../tools/traffic/prng.js';
import { renderCapture } from '../tools/traffic/render-capture.js';
import { planServers } from '../tools/traffic/servers-model.js';

/**
 * The generator's capture with its attacks off: the same benign models, seed forks and rendering as
 * `generateCapture` (whose attacks draw from a later fork, so the benign conversations are exactly the
 * sample's for the same seed), without `planAttacks`. Writes `out` and `<out>.labels.csv` (all 0).
 * Returns the packets written.
 */
export function writeBenignCapture(out: string, seed: number): number {
  const rng = new Prng(seed);
  const plan = new PacketPlan();
  const [office, , iot] = siteLayout();
  const ctx: ModelContext = {
    plan,
    emitter: new ConversationEmitter(plan, rng.fork(1)),
    durationUs: CAPTURE_DURATION_US,
    scale: 1,
    externals: drawExternalPeers(rng.fork(2)),
  };
  planOffice(ctx, rng.fork(3), office!.hosts);
  planServers(ctx, rng.fork(4), iot!.hosts);
  planIot(ctx, rng.fork(5), iot!.hosts);
  return renderCapture(plan, 0, {
    path: out,
    captureStartMs: CAPTURE_START_MS,
    durationUs: CAPTURE_DURATION_US,
    snapLength: 80,
    vlanTags: false,
  }).packets;
}
