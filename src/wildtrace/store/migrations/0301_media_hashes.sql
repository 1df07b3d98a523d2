-- Linking: a picture is the same picture only when several perceptual hashes agree; the gradient (dHash)
-- and wavelet (wHash) hashes are kept beside the DCT hash (phash), computed where pictures are read.
ALTER TABLE media ADD COLUMN dhash TEXT;
ALTER TABLE media ADD COLUMN whash TEXT;
