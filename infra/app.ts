import { App } from "aws-cdk-lib";
import { InvalidModelError } from "#shared/domain/model/problems";
import { defineRipen } from "./ripen";

// An invalid model stops the synth with the same message npm start and the model check give.
try {
  defineRipen(new App());
} catch (error) {
  if (!(error instanceof InvalidModelError)) throw error;
  console.error(`ripen: ${error.message}`);
  process.exit(1);
}
