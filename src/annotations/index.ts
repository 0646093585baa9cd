export {
  AnnotationStore,
  ANNOTATIONS_FILE,
  ANNOTATIONS_WAL_DIR,
  isAnnotationTime,
  type Annotation,
  type AnnotationInput,
  type AnnotationQuery,
  type AnnotationStoreOptions,
} from './store.js';
