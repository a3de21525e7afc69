import { App } from "aws-cdk-lib";
import type { ScoringModel } from "../shared/domain/model/schema";
import { loadModel } from "../shared/runtime/engine";
import { defineRipen } from "./ripen";

// An invalid model stops the synth with the same message npm start and a Lambda's init give.
let model: ScoringModel;
try {
  model = loadModel();
} catch (error) {
  console.error(`ripen: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
defineRipen(new App(), { model });
