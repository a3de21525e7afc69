import { App } from "aws-cdk-lib";
import { defineRipen } from "./ripen";

defineRipen(new App());
