/** Turns the sandbox carriers off for the importing file; import it right after `logistics-env`. */
process.env.LOGISTICS_SANDBOX = "false";

export {};
