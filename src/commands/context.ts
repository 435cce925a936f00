import { openDatabase, type Database } from '../../db/database.ts';
import { loadConfig, type LoadedConfig } from '../config.ts';
import { readEnvironment, type Environment } from '../environment.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createOutput, type Output } from '../output.ts';

/** What every command gets: parsed global options, lazily loaded config, logger and output. */
export interface CommandContext {
  readonly output: Output;
  readonly logger: Logger;
  readonly environment: Environment;
  /** The validated config; loading (and its errors) happens on first use. */
  config(): LoadedConfig;
  openDatabase(): Promise<Database>;
}

export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export function createCommandContext(getOptions: () => GlobalOptions): CommandContext {
  let loaded: LoadedConfig | undefined;
  let output: Output | undefined;
  const environment = readEnvironment();
  const logger = createLogger();
  return {
    get output() {
      output ??= createOutput(getOptions().json === true);
      return output;
    },
    logger,
    environment,
    config() {
      loaded ??= loadConfig(getOptions().config);
      return loaded;
    },
    openDatabase() {
      return openDatabase({ url: environment.databaseUrl, dataDir: environment.dataDir });
    },
  };
}
