import { type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { CalibrationReports } from "#shared/application/ports/calibration-reports";
import { calibrationReportItem, latestCalibrationKey, toStoredCalibration } from "./entities/calibration-report";

/** The latest calibration report in the single table: one item, replaced by each calibration. */
export function dynamoCalibrationReports(options: { client: DynamoDBClient; tableName: string }): CalibrationReports {
  const { client, tableName } = options;
  return {
    async save(stored) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: calibrationReportItem(stored) }));
    },
    async latest() {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: latestCalibrationKey() }));
      return Item ? toStoredCalibration(Item) : undefined;
    },
  };
}
