import { AttainError } from '../errors/attain-error.ts';
import type { QuotaFileProblem } from './quota-file.ts';

/** A quota file with bad lines; nothing was imported. Lists every problem by line number; exits 2. */
export class QuotaFileError extends AttainError {
  readonly problems: QuotaFileProblem[];

  constructor(file: string, problems: QuotaFileProblem[]) {
    const lines = problems.map((problem) => `  line ${problem.line}: ${problem.message}`);
    super(
      `quota file ${file} has ${problems.length} bad line(s); nothing was imported:\n${lines.join('\n')}`,
      {
        exitCode: 2,
      },
    );
    this.problems = problems;
  }
}
