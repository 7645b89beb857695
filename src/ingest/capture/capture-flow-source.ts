import type { FlowSource } from '../../core/flow-source.js';
import type { PcapFileSource } from './pcap-file-source.js';

/** Capture files as a FlowSource: nothing to acknowledge, connected until the files end. */
export function captureFlowSource(capture: PcapFileSource): FlowSource {
  let open = true;
  const done = async () => undefined;
  return {
    name: 'capture',
    get connected() {
      return open;
    },
    async *batches() {
      try {
        for await (const flows of capture.batches()) yield { flows, ack: done };
      } finally {
        open = false;
      }
    },
    close: () => capture.close(),
  };
}
