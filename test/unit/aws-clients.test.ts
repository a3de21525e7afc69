import { DescribeLimitsCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListStreamsCommand } from "@aws-sdk/client-dynamodb-streams";
import { GetAccountCommand } from "@aws-sdk/client-sesv2";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
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

/** The smallest view of a client this test needs: its stack and send, whatever the service. */
interface AnyClient {
  middlewareStack: {
    add(
      middleware: (next: (args: object) => Promise<object>) => (args: object) => Promise<object>,
      options: { step: "initialize"; priority: "high" | "low" },
    ): void;
  };
  send(command: object): Promise<unknown>;
}

describe("the SDK clients Ripen makes", () => {
  /**
   * Sends a command twice through a client whose requests never leave it (a middleware answers them),
   * with a middleware that notes each request added between the two sends: whether it saw the second.
   */
  async function runsMiddlewareAddedAfterUse(client: AnyClient, command: () => object): Promise<boolean> {
    let seen = false;
    client.middlewareStack.add(() => async () => ({ output: {}, response: {} }), {
      step: "initialize",
      priority: "low",
    });
    await client.send(command());
    client.middlewareStack.add(
      (next) => async (args) => {
        seen = true;
        return next(args);
      },
      { step: "initialize", priority: "high" },
    );
    await client.send(command());
    return seen;
  }

  it("resolve each command's middleware once, not at every request", async () => {
    // Prepare: a client made with the SDK's defaults resolves the stack again for every command.
    const plain = new DynamoDBClient({ region: "us-east-1" }) as unknown as AnyClient;
    expect(await runsMiddlewareAddedAfterUse(plain, () => new DescribeLimitsCommand({}))).toBe(true);

    // Assess: Ripen's clients reuse what they resolved for the first command of each kind.
    const local = "http://127.0.0.1:1";
    const clients: [AnyClient, () => object][] = [
      [dynamodbClient() as unknown as AnyClient, () => new DescribeLimitsCommand({})],
      [localDynamoDbClient(local) as unknown as AnyClient, () => new DescribeLimitsCommand({})],
      [localStreamsClient(local) as unknown as AnyClient, () => new ListStreamsCommand({})],
      [sesClient() as unknown as AnyClient, () => new GetAccountCommand({})],
      [sqsClient() as unknown as AnyClient, () => new ListQueuesCommand({})],
    ];
    for (const [client, command] of clients) expect(await runsMiddlewareAddedAfterUse(client, command)).toBe(false);
  });
});
