import { brokerOptions } from "./shared/broker-options";
import { config } from "./shared/config/config";

/** Broker configuration for moleculer-runner and the REPL; `npm start` uses the same options. */
export default brokerOptions(config);
