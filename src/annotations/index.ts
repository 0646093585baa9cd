export {
  AnnotationStore,
  type Annotation,
  type AnnotationInput,
  type AnnotationQuery,
  type AnnotationStoreOptions,
} from './store.js';
