import { AttainError } from './attain-error.ts';

export interface ConfigIssue {
  /** Where in the config file, e.g. `connections[0].salesforce.clientId`; '' for the file itself. */
  path: string;
  message: string;
}

/** The configuration is unusable. Lists every problem found, each with its path; exits 2. */
export class ConfigError extends AttainError {
  readonly issues: ConfigIssue[];
  readonly source: string;

  constructor(source: string, issues: ConfigIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    super(`invalid configuration (${source}):\n${lines.join('\n')}`, { exitCode: 2 });
    this.issues = issues;
    this.source = source;
  }
}
