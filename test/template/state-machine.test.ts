import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { Json, ROOT, Resolver, TEST_CONTEXT, loadProjectTemplate, policyInventory, resourcesOfType } from './cfn';
import { OPTIONAL_SUBSTITUTIONS, STATE_MACHINE_FUNCTIONS, TASK_TOKEN_STATE } from './expectations';

const template = loadProjectTemplate();
const [[stateMachineId, stateMachine] = ['', undefined]] = resourcesOfType(template, 'AWS::Serverless::StateMachine');
const substitutions: Record<string, Json> = stateMachine?.Properties?.DefinitionSubstitutions ?? {};
const definitionPath = join(ROOT, String(stateMachine?.Properties?.DefinitionUri ?? 'statemachines/rollout.asl.json'));

/** The ASL text as written (with ${...} placeholders); fails the test when the file is missing. */
function aslText(): string {
  if (!existsSync(definitionPath)) {
    throw new Error(`${definitionPath} does not exist (yet): the state machine definition is required`);
  }
  return readFileSync(definitionPath, 'utf8');
}

function placeholders(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] as string));
}

/**
 * The ASL as Step Functions would get it: every ${Name} replaced by its DefinitionSubstitution,
 * resolved with fake but well-formed values (arn:aws:lambda:us-west-2:111122223333:function:...).
 */
function substitutedAsl(): Json {
  const resolver = new Resolver(template, TEST_CONTEXT);
  const text = aslText().replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (!(name in substitutions)) return whole;
    // JSON-escape the value, without its surrounding quotes: placeholders sit inside JSON strings.
    return JSON.stringify(String(resolver.resolve(substitutions[name]))).slice(1, -1);
  });
  return JSON.parse(text);
}

interface TaskState {
  name: string;
  state: Json;
}

/** Every Task state, including those inside Parallel branches and Map processors. */
function taskStates(definition: Json): TaskState[] {
  const found: TaskState[] = [];
  const walk = (states: Record<string, Json> | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Task') found.push({ name, state });
      for (const branch of state.Branches ?? []) walk(branch.States);
      walk((state.ItemProcessor ?? state.Iterator)?.States);
    }
  };
  walk(definition.States);
  return found;
}

/** The function a Task invokes, as written in the raw ASL (`${XFunctionArn}`), if any. */
function invokedPlaceholder(state: Json): string | undefined {
  const resource = String(state.Resource ?? '');
  const candidate = resource.startsWith('arn:aws:states:::lambda:invoke')
    ? String(state.Parameters?.FunctionName ?? state.Arguments?.FunctionName ?? '')
    : resource;
  return /^\$\{(\w+)\}(?::[\w$-]+)?$/.exec(candidate)?.[1];
}

describe('state machine', () => {
  it('is one STANDARD state machine with a fixed name, logging and tracing', () => {
    // Prepare
    const machines = resourcesOfType(template, 'AWS::Serverless::StateMachine');

    // Act
    const props = stateMachine?.Properties ?? {};

    // Assess
    expect(machines).toHaveLength(1);
    expect(props.Type).toBe('STANDARD');
    expect(props.Name).toEqual({ 'Fn::Sub': '${AWS::StackName}-rollout' });
    expect(props.DefinitionUri).toBe('statemachines/rollout.asl.json');
    expect(props.Tracing).toEqual({ Enabled: true });
    expect(props.Logging).toMatchObject({ Level: 'ERROR', IncludeExecutionData: false });
    const [destination] = props.Logging.Destinations;
    const logGroupId = destination.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(template.Resources[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: { Ref: 'LogRetentionDays' } },
    });
  });

  describe('DefinitionSubstitutions', () => {
    it('maps every <X>FunctionArn to !GetAtt <X>Function.Arn of a function in the template', () => {
      // Prepare
      const functionArns = Object.entries(substitutions).filter(([name]) => name.endsWith('FunctionArn'));

      // Act
      const problems = functionArns.flatMap(([name, value]) => {
        const logicalId = name.slice(0, -'Arn'.length);
        const points = JSON.stringify(value) === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] });
        const exists = template.Resources[logicalId]?.Type === 'AWS::Serverless::Function';
        return points && exists ? [] : [`${name}: ${JSON.stringify(value)}`];
      });

      // Assess
      expect(problems).toEqual([]);
      expect(functionArns.map(([name]) => name).sort()).toEqual(
        STATE_MACHINE_FUNCTIONS.map((f) => `${f.logicalId}Arn`).sort(),
      );
    });

    it('names every function ARN after its logical id (no GetAtt under another name)', () => {
      // Prepare
      const getAtts = Object.entries(substitutions).filter(([, value]) => value?.['Fn::GetAtt'] !== undefined);

      // Act
      const misnamed = getAtts.filter(([name, value]) => name !== `${value['Fn::GetAtt'][0]}${value['Fn::GetAtt'][1]}`);

      // Assess
      expect(misnamed).toEqual([]);
    });

    it('maps RegistryTableName to the registry table', () => {
      // Prepare / Act
      const value = substitutions.RegistryTableName;

      // Assess
      expect(value).toEqual({ Ref: 'RegistryTable' });
    });

    it('defines every ${...} placeholder of the ASL', () => {
      // Prepare
      const used = placeholders(aslText());

      // Act
      const undefinedPlaceholders = [...used].filter((name) => !(name in substitutions));

      // Assess
      expect(undefinedPlaceholders).toEqual([]);
    });

    it('has no substitution the ASL does not use', () => {
      // Prepare
      const used = placeholders(aslText());

      // Act
      const dangling = Object.keys(substitutions).filter(
        (name) => !used.has(name) && !OPTIONAL_SUBSTITUTIONS.includes(name),
      );

      // Assess
      expect(dangling).toEqual([]);
    });
  });

  describe('definition', () => {
    it('passes asl-validator once substituted', () => {
      // Prepare
      const definition = substitutedAsl();

      // Act (asl-validator mutates its input)
      const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });

      // Assess
      expect(result.errorsText('\n')).toBe('');
      expect(result.isValid).toBe(true);
    });

    it('uses the JSONPath query language', () => {
      // Prepare
      const definition = JSON.parse(aslText());

      // Act
      const languages = new Set([definition.QueryLanguage ?? 'JSONPath', ...taskStates(definition).map((t) => t.state.QueryLanguage ?? 'JSONPath')]);

      // Assess
      expect([...languages]).toEqual(['JSONPath']);
    });

    it.each(STATE_MACHINE_FUNCTIONS.map((f) => [f.state, f.logicalId]))('state "%s" invokes %s', (stateName, logicalId) => {
      // Prepare
      const tasks = taskStates(JSON.parse(aslText()));

      // Act
      const task = tasks.find((t) => t.name === stateName);

      // Assess
      expect(task).toBeDefined();
      expect(invokedPlaceholder(task?.state)).toBe(`${logicalId}Arn`);
    });

    it(`"${TASK_TOKEN_STATE}" waits for a task token, with a timeout`, () => {
      // Prepare
      const tasks = taskStates(JSON.parse(aslText()));

      // Act
      const task = tasks.find((t) => t.name === TASK_TOKEN_STATE)?.state;

      // Assess
      expect(task?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(JSON.stringify(task?.Parameters ?? task?.Arguments)).toContain('$$.Task.Token');
      // Without a timeout a lost event would leave the rollout waiting for a year.
      expect(task?.TimeoutSeconds ?? task?.TimeoutSecondsPath ?? task?.HeartbeatSeconds).toBeDefined();
    });

    it('only invokes functions that the state machine role may invoke', () => {
      // Prepare
      const { grants } = policyInventory(template, new Resolver(template, TEST_CONTEXT));
      const allowed = grants
        .filter((g) => g.owner === stateMachineId && g.statement.Action.includes('lambda:InvokeFunction'))
        .flatMap((g) => g.statement.Resource);
      const resolver = new Resolver(template, TEST_CONTEXT);

      // Act
      const tasks = taskStates(JSON.parse(aslText()));
      const notAllowed = tasks.flatMap(({ name, state }) => {
        const placeholder = invokedPlaceholder(state);
        if (placeholder === undefined) {
          // Not a Lambda task: a service integration needs its own permissions (and a test rule).
          return [`${name}: integration ${String(state.Resource)} has no permission check here`];
        }
        if (!(placeholder in substitutions)) return [`${name}: \${${placeholder}} is not substituted`];
        const arn = String(resolver.resolve(substitutions[placeholder]));
        const covered = allowed.some((pattern) => (pattern.endsWith('*') ? arn.startsWith(pattern.slice(0, -1)) : arn === pattern));
        return covered ? [] : [`${name}: ${arn}`];
      });

      // Assess
      expect(notAllowed).toEqual([]);
    });
  });
});
