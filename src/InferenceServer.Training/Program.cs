return 0; // placeholder: replaced by the tool itself
