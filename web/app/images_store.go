package main

// savedImages is how a message's pictures are saved: the bytes of those
// kept (at most MaxKeptImageBytes), the name and size of the others.
func savedImages(ims []*Attachment) []SavedImage {
	var out []SavedImage
	for _, im := range ims {
		s := SavedImage{Name: im.Name, Type: im.Type, Size: im.Size}
		if !im.NotKept {
			s.Data = im.Data
		}
		out = append(out, s)
	}
	return out
}

// restoredImages are a saved message's pictures again, each kept one with
// a thumbnail URL; one not kept has no bytes (Attachment.Note says so).
func restoredImages(saved []SavedImage) []*Attachment {
	var out []*Attachment
	for _, s := range saved {
		im := &Attachment{ID: int(attachmentIDs.Add(1)), Name: s.Name, Type: s.Type, Size: s.Size, Data: s.Data, NotKept: s.Data == nil}
		if s.Data != nil && objectURL != nil {
			im.URL = objectURL(s.Data, s.Type)
		}
		out = append(out, im)
	}
	return out
}
