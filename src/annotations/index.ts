export {
  AnnotationStore,
  ANNOTATIONS_FILE,
  isAnnotationTime,
  type Annotation,
  type AnnotationInput,
  type AnnotationQuery,
  type AnnotationStoreOptions,
} from './store.js';
