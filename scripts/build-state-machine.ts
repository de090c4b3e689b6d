// Writes statemachines/rollout.asl.json, what SAM deploys and the local stack runs, from its
// source statemachines/rollout.asl.ts. test/statemachines/rollout-definition.test.ts fails
// when the committed JSON and the source differ.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rolloutDefinition } from '../statemachines/rollout.asl';

export const generatedDefinitionText = `${JSON.stringify(rolloutDefinition, null, 2)}\n`;

if (require.main === module) {
  writeFileSync(join(__dirname, '..', 'statemachines', 'rollout.asl.json'), generatedDefinitionText);
  console.log('statemachines/rollout.asl.json');
}
