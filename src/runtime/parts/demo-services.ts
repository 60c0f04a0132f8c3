import { type EmbeddedBroker, startEmbeddedBroker } from "../../broker/embedded-broker.js";
import { merchantConfigSchema } from "../../merchant/merchant-config.js";
import { MerchantService } from "../../merchant/merchant-service.js";
import { DEMO_MERCHANT } from "../demo/demo-list.js";
import type { DemoServices } from "../demo/demo-setup.js";
import type { Part } from "./part.js";

/**
 * The demo's other end (`npm start`): the embedded broker on a loopback port and the demo merchant
 * service, hosted by the first demo terminal. A second one (`npm start -- --terminal 2`) finds the
 * port taken and simply connects to it: both report to one merchant, which forwards each till's
 * redemptions to the other.
 */
export function demoServicesPart(services: DemoServices): Part {
  return {
    name: "demo-services",
    async start({ log }) {
      let broker: EmbeddedBroker;
      try {
        broker = await startEmbeddedBroker({ port: services.brokerPort, log });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
        log.info(
          { port: services.brokerPort },
          "demo: another demo terminal hosts the broker and the merchant",
        );
        return { stop() {} };
      }
      const config = merchantConfigSchema.parse({
        merchant: { id: DEMO_MERCHANT, privateKeyFile: services.keyFile },
        dataDir: services.merchantDir,
        broker: { url: broker.url },
      });
      const merchant = await MerchantService.open({ config, log: log.child({ part: "demo-merchant" }) });
      await merchant.start();
      return {
        async stop() {
          await merchant.stop();
          await broker.stop();
        },
      };
    },
  };
}
