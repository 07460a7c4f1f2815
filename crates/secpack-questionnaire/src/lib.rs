//! secpack-questionnaire
