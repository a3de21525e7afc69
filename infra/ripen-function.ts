import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { COMPILED_MODEL_FILE } from "#shared/adapters/compiled-model-file";
import { TABLE } from "#shared/adapters/dynamodb/table-definition";
import { FUNCTION_NODE_OPTIONS } from "#shared/runtime/node-options";
import { BUNDLE_ALIASES, bundleDefines, REQUIRE_BANNER } from "./bundling";
import type { EmailSettings } from "./config";
import type { FunctionPermissions } from "./function-permissions";
import { acknowledge } from "./nag";

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"];
const TABLE_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];
/** Only on the table itself (never an index): the parallel Scan segments of a run's parts. */
const TABLE_SCAN = ["dynamodb:Scan"];

export interface FunctionDefinition {
  entry: string;
  description: string;
  memoryMb: number;
}

export interface RipenFunctionProps {
  definition: FunctionDefinition;
  permissions: FunctionPermissions;
  table: ITable;
  secret: ISecret;
  /** The lead id key, given to functions whose permissions name it (idKey). */
  idKey: ISecret;
  /** The key of signed links, given to functions whose permissions name it (linkKey). */
  linkKey?: ISecret;
  /** The base URL senders post to (for signature schemes that sign the URL), and lead page links start with. */
  publicUrl: string;
  email?: EmailSettings;
  /** Plain deployment settings (ripen:functionEnvironment). */
  environment?: Record<string, string>;
  timeout: Duration;
  logRetention: RetentionDays;
  tracing: boolean;
  /** The compiled model's path (compileModel): copied beside the handler, where its init reads it. */
  compiledModel: string;
  /** Concurrent executions reserved for this function (and its ceiling); none when unset. */
  reservedConcurrency?: number;
}

/**
 * One Ripen Lambda: arm64, Node.js 22, a minified ESM bundle with source maps, JSON logs in its own
 * log group, and a role that holds exactly the permissions its entry in FUNCTION_PERMISSIONS names.
 */
export class RipenFunction extends Construct {
  readonly handler: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly permissions: FunctionPermissions;

  constructor(scope: Construct, id: string, props: RipenFunctionProps) {
    super(scope, id);
    const { definition, permissions } = props;
    this.permissions = permissions;

    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: that policy may write to every log group.
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Ripen ${id}: ${definition.description}`,
    });
    this.logGroup.grantWrite(this.role);

    this.handler = new NodejsFunction(this, "Handler", {
      entry: join(PROJECT_ROOT, definition.entry),
      handler: "handler",
      description: definition.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: definition.memoryMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      ...(props.reservedConcurrency !== undefined && { reservedConcurrentExecutions: props.reservedConcurrency }),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, "package-lock.json"),
      bundling: {
        format: OutputFormat.ESM,
        target: "node22",
        platform: "node",
        mainFields: ["module", "main"],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        banner: REQUIRE_BANNER,
        define: bundleDefines(props.tracing),
        // Bundle the AWS SDK too: pinned versions, tree-shaken, and faster to load than the runtime's copy.
        externalModules: [],
        // esbuild's --alias:<package>=<path> flag, one per replaced package.
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_ALIASES).map(([name, path]) => [`--alias:${name}`, path]),
        ),
        forceDockerBundling: false,
        // The compiled model ships beside the handler, where loadCompiledEngine reads it; no YAML, no parser.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => [
            `cp "${props.compiledModel}" "${output}/${COMPILED_MODEL_FILE}"`,
          ],
        },
      },
      environment: {
        ...props.environment,
        TABLE_NAME: props.table.tableName,
        RIPEN_SECRETS_ARN: props.secret.secretArn,
        ...(permissions.idKey && { RIPEN_ID_KEY_ARN: props.idKey.secretArn }),
        ...(permissions.linkKey && { RIPEN_LINK_KEY_ARN: linkKeyOf(props).secretArn }),
        RIPEN_PUBLIC_URL: props.publicUrl,
        POWERTOOLS_SERVICE_NAME: "ripen",
        POWERTOOLS_METRICS_NAMESPACE: "Ripen",
        NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
        ...(permissions.sendEmail && props.email && { RIPEN_FROM_EMAIL: props.email.fromAddress }),
        ...(permissions.sendEmail &&
          props.email?.configurationSet && { SES_CONFIGURATION_SET: props.email.configurationSet }),
      },
    });

    acknowledge(
      this.handler,
      "AwsSolutions-L1",
      "Pinned to nodejs22.x, the LTS line the bundles target (esbuild target node22), supported by Lambda into 2027. " +
        "Moving to a newer runtime is a deliberate, tested upgrade rather than a side effect of a CDK release.",
    );
    if (props.tracing) {
      acknowledge(
        this.role,
        "AwsSolutions-IAM5[Resource::*]",
        "Only X-Ray's PutTraceSegments and PutTelemetryRecords use Resource '*': X-Ray has no resource-level " +
          "permissions, so AWS requires the wildcard for them.",
      );
    }
    this.grant(props);
  }

  private grant(props: RipenFunctionProps): void {
    const { permissions, table } = props;
    if (permissions.table) {
      const indexArns = TABLE.indexes.map((index) => `${table.tableArn}/index/${index.name}`);
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: TABLE_READ, resources: [table.tableArn, ...indexArns] }),
      );
      if (permissions.table === "readWrite") {
        this.role.addToPrincipalPolicy(new PolicyStatement({ actions: TABLE_WRITE, resources: [table.tableArn] }));
      }
      if (permissions.scan) {
        this.role.addToPrincipalPolicy(new PolicyStatement({ actions: TABLE_SCAN, resources: [table.tableArn] }));
      }
    }
    if (permissions.secrets) props.secret.grantRead(this.role);
    if (permissions.idKey) props.idKey.grantRead(this.role);
    if (permissions.linkKey) linkKeyOf(props).grantRead(this.role);
    if (permissions.sendEmail && props.email) {
      // SES authorizes a send against the identity and, when one is used, the configuration set.
      const sesArn = (resource: string, resourceName: string) =>
        Stack.of(this).formatArn({ service: "ses", resource, resourceName });
      const resources = [sesArn("identity", props.email.identity)];
      if (props.email.configurationSet) resources.push(sesArn("configuration-set", props.email.configurationSet));
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ["ses:SendEmail"], resources }));
    }
  }
}

function linkKeyOf(props: RipenFunctionProps): ISecret {
  if (!props.linkKey) throw new Error(`${props.definition.entry} makes or checks signed links: give it the link key`);
  return props.linkKey;
}
