import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { localDynamoDbClient, localStreamsClient } from "#shared/local/clients";
import { dynamodbClient, sesClient, sqsClient, withoutSdkLogging } from "#shared/runtime/aws-clients";

const logs = (client: { middlewareStack: { identify(): string[] } }) =>
  client.middlewareStack.identify().filter((name) => name.startsWith("loggerMiddleware"));

describe("the SDK clients the functions use", () => {
  it("hand no command's input or output to the SDK's logger", () => {
    // Prepare: a client as the SDK makes it carries the logger middleware.
    expect(logs(new DynamoDBClient({ region: "us-east-1" }))).toEqual(["loggerMiddleware - initialize"]);

    // Assess
    expect(logs(dynamodbClient())).toEqual([]);
    expect(logs(sesClient())).toEqual([]);
    expect(logs(sqsClient())).toEqual([]);
    expect(logs(localStreamsClient("http://127.0.0.1:1"))).toEqual([]);
    expect(logs(localDynamoDbClient("http://127.0.0.1:1"))).toEqual([]);
    expect(logs(withoutSdkLogging(new DynamoDBClient({ region: "us-east-1" })))).toEqual([]);
  });
});
