/** Prints the topic contract table for the README from topics/*.json. */
import { loadTopicSpecs } from '../services/runtime/topics.ts';
import { topicTable } from './lib/topic-table.ts';

console.log(topicTable(loadTopicSpecs().values()));
