import { RipenError } from "#shared/domain/errors";

/** One problem in a model file: where it is and what is wrong. */
export interface ModelProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/**
 * The model cannot be used. The message names the file, then each problem with its path in the file
 * (and line, when known), so `npm start`, `npm run synth` and a Lambda's init all say the same thing.
 */
export class InvalidModelError extends RipenError {
  readonly code = "invalid_model";
  readonly problems: readonly ModelProblem[];

  constructor(origin: string, problems: readonly ModelProblem[]) {
    super(
      `${origin} is not a valid scoring model:\n${problems.map((problem) => `  - ${describe(problem)}`).join("\n")}`,
      problems,
    );
    this.problems = problems;
  }
}

function describe(problem: ModelProblem): string {
  const where =
    problem.line !== undefined ? ` (line ${problem.line}${problem.column ? `:${problem.column}` : ""})` : "";
  return `${problem.path}${where}: ${problem.message}`;
}
