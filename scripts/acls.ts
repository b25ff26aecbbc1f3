/**
 * npm run acls [-- --table]: the Kafka ACLs each service's principal needs (services/ops/acls.ts)
 * for the topology of OTAFLOW_TOPIC_PREFIX, as kafka-acls.sh commands, or as the table of
 * docs/threat-model.md.
 */
import { projections } from '../services/projector/projections.ts';
import { aclCommands, aclTable, requiredAcls } from '../services/ops/acls.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { loadTopicSpecs, TopicNames } from '../services/runtime/topics.ts';

const config = parseRuntimeConfig(process.env);
const acls = requiredAcls(new TopicNames(loadTopicSpecs(), config.topicPrefix), projections.map((p) => p.name));
console.log(process.argv.includes('--table') ? aclTable(acls) : aclCommands(acls, config.brokers.join(',')).join('\n'));
